using System.Net;
using System.Net.Sockets;

namespace Kamune.Tests.Support;

/// <summary>
/// A raw TCP relay on loopback (port 0) between one client and <c>target</c>: it forwards both directions unchanged
/// and keeps every byte, so a test sees exactly what crossed the wire each way.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly MemoryStream _toTarget = new();
    private readonly MemoryStream _toClient = new();
    private readonly TcpClient _upstream = new();
    private readonly Task _relaying;
    private TcpClient? _client;

    public TcpRelay(IPEndPoint target)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _relaying = RelayAsync(target);
    }

    public int Port { get; }

    /// <summary>Completes once both directions have ended (each side closed or reset its connection).</summary>
    public Task Completion => _relaying;

    /// <summary>Everything the client sent the target.</summary>
    public byte[] ToTarget()
    {
        lock (_toTarget)
        {
            return _toTarget.ToArray();
        }
    }

    /// <summary>Everything the target sent the client.</summary>
    public byte[] ToClient()
    {
        lock (_toClient)
        {
            return _toClient.ToArray();
        }
    }

    // Closes whatever is still open, so a test that failed half-way never waits on the relay.
    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _client?.Dispose();
        _upstream.Dispose();
        await _relaying.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RelayAsync(IPEndPoint target)
    {
        var client = _client = await _listener.AcceptTcpClientAsync();
        _listener.Stop();
        await _upstream.ConnectAsync(target);
        await Task.WhenAll(
            PumpAsync(client.GetStream(), _upstream, _toTarget),
            PumpAsync(_upstream.GetStream(), client, _toClient));
    }

    // Copies until the source ends, then ends the other side's writing half so the close travels on too.
    private static async Task PumpAsync(NetworkStream from, TcpClient to, MemoryStream record)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                lock (record)
                {
                    record.Write(buffer, 0, read);
                }

                await to.GetStream().WriteAsync(buffer.AsMemory(0, read));
            }

            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // A reset ends the relay of that direction; what was read before it is kept.
            to.Client?.Close();
        }
    }
}
