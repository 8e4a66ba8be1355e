using System.Runtime.InteropServices;

namespace Kamune.Node.Hosting;

/// <summary>
/// Turns Ctrl+C (SIGINT), SIGTERM, SIGQUIT and SIGHUP (the terminal closed) into one cancellation, so the node closes
/// its sessions gracefully (CLOSE_TRANSPORT) instead of the runtime killing the process mid-write.
/// </summary>
/// <remarks>
/// A second SIGINT, SIGTERM or SIGQUIT while shutting down is let through and ends the process at once: someone asked
/// twice. SIGHUP never is: a closed terminal hangs up the foreground job once from the kernel and once more from the
/// shell that owned it, and neither is anyone asking for a hard stop. A SIGHUP the node was started with ignored
/// (nohup) stays ignored: .NET installs no handler over an ignored signal.
/// </remarks>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly List<PosixSignalRegistration> _registrations = new();

    public ShutdownSignal()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // Keep the process alive; a second signal while shutting down is let through and ends it at once.
                context.Cancel = context.Signal == PosixSignal.SIGHUP || !_cancellation.IsCancellationRequested;
                Signal ??= context.Signal;
                _cancellation.Cancel();
            }));
        }
    }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>The first signal that asked the node to stop; null while none has.</summary>
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
