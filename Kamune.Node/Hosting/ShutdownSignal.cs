using System.Runtime.InteropServices;

namespace Kamune.Node.Hosting;

/// <summary>
/// Turns Ctrl+C (SIGINT), SIGTERM and SIGQUIT into one cancellation, so the node closes its sessions gracefully
/// (CLOSE_TRANSPORT) instead of the runtime killing the process mid-write.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly List<PosixSignalRegistration> _registrations = new();

    public ShutdownSignal()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // Keep the process alive; a second signal while shutting down is let through and ends it at once.
                context.Cancel = !_cancellation.IsCancellationRequested;
                Signal = context.Signal;
                _cancellation.Cancel();
            }));
        }
    }

    public CancellationToken Token => _cancellation.Token;

    public PosixSignal? Signal { get; private set; }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancellation.Dispose();
    }
}
