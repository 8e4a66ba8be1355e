using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kamune.Tests.Adversarial;

/// <summary>
/// The four hostile loads of issue 15 as raw loopback clients, each a loop that runs until <see cref="StopAsync"/>:
/// churn (connect and reset at once), silent half-open connections (reopened as soon as the node closes one),
/// slow peers (a first frame at one byte per second) and garbage first frames of every length. Each client binds
/// its own source address in 127.0.0.0/8, so the node sees them as distinct peers. Counts are what the clients
/// saw; the node's own account is its handler's SessionClosed events and its ManagerState.
/// </summary>
internal sealed class HostileClients : IAsyncDisposable
{
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _reopen = true;
    private readonly List<Task> _loops = new();
    private readonly List<double> _garbageCloseMs = new();
    private long _connects;
    private long _connectFailures;

    public HostileClients(int port) => _port = port;

    /// <summary>TCP connections the clients opened.</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Connects the kernel refused or that failed (full accept queue, no port left).</summary>
    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Milliseconds from a garbage frame's first byte to the node closing that connection.</summary>
    public IReadOnlyList<double> GarbageCloseMs
    {
        get
        {
            lock (_garbageCloseMs)
            {
                return _garbageCloseMs.ToArray();
            }
        }
    }

    /// <summary>One address opens and resets connections as fast as it can.</summary>
    public void Churn(IPAddress from) => Run(async stop =>
    {
        while (_reopen)
        {
            using var socket = await ConnectAsync(from, stop);
            // RST, not FIN: a closing client would otherwise park every port it used in TIME_WAIT.
            socket?.Close(0);
        }
    });

    /// <summary>Each of <paramref name="from"/> holds <paramref name="each"/> silent connections, reopening any that closes.</summary>
    public void HalfOpen(IEnumerable<IPAddress> from, int each)
    {
        foreach (var address in from)
        {
            for (var i = 0; i < each; i++)
            {
                Run(async stop =>
                {
                    while (_reopen)
                    {
                        using var socket = await ConnectAsync(address, stop);
                        if (socket is not null)
                        {
                            await UntilClosedAsync(socket, stop);
                        }
                    }
                });
            }
        }
    }

    /// <summary><paramref name="count"/> peers from <paramref name="from"/> send the exchange key frame one byte per second.</summary>
    public void Slow(IPAddress from, int count) => Enumerable.Range(0, count).ToList().ForEach(_ => Run(async stop =>
    {
        var frame = new byte[2 + 1216];
        BinaryPrimitives.WriteUInt16BigEndian(frame, 1216);
        while (_reopen)
        {
            using var socket = await ConnectAsync(from, stop);
            if (socket is null)
            {
                continue;
            }

            try
            {
                for (var i = 0; i < frame.Length; i++)
                {
                    await socket.SendAsync(frame.AsMemory(i, 1), SocketFlags.None, stop);
                    // Wait out the second unless the node closes the connection first.
                    if (await ClosedWithinAsync(socket, TimeSpan.FromSeconds(1), stop))
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
            }
        }
    }));

    /// <summary>One address sends first frames of random length (0-65,535, edges included) and waits for the close.</summary>
    public void Garbage(IPAddress from, int seed) => Run(async stop =>
    {
        var random = new Random(seed);
        int[] edges = [0, 1, 2, 1215, 1217, 2338, 65_535];
        var sent = 0;
        while (_reopen)
        {
            var length = sent < edges.Length ? edges[sent] : random.Next(0, 65_536);
            sent++;
            var frame = new byte[2 + length];
            random.NextBytes(frame);
            BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)length);
            using var socket = await ConnectAsync(from, stop);
            if (socket is null)
            {
                continue;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                await socket.SendAsync(frame, SocketFlags.None, stop);
            }
            catch (SocketException)
            {
                // Reset by the node while the payload was still going out: refused at the prefix.
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (await ClosedWithinAsync(socket, TimeSpan.FromSeconds(30), stop))
            {
                lock (_garbageCloseMs)
                {
                    _garbageCloseMs.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }
    });

    /// <summary>
    /// Stops reopening and waits until the node has closed every connection still open (bounded by its handshake
    /// timeout), so each one ends for a reason the node chose, not because the test went away; after
    /// <paramref name="within"/> the rest are closed from here.
    /// </summary>
    public async Task StopAsync(TimeSpan within)
    {
        _reopen = false;
        var all = Task.WhenAll(_loops);
        if (await Task.WhenAny(all, Task.Delay(within)) != all)
        {
            await _stop.CancelAsync();
        }

        await all.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            _reopen = false;
            await _stop.CancelAsync();
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(30));
        }

        _stop.Dispose();
    }

    private void Run(Func<CancellationToken, Task> loop) =>
        _loops.Add(Task.Run(async () =>
        {
            try
            {
                await loop(_stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }));

    private async Task<Socket?> ConnectAsync(IPAddress from, CancellationToken stop)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port), stop);
            Interlocked.Increment(ref _connects);
            return socket;
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _connectFailures);
            socket.Dispose();
            // A full accept queue or no port left: try again shortly rather than spin.
            await Task.Delay(10, stop);
            return null;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task UntilClosedAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[256];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, stop) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
    }

    private static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan timeout, CancellationToken stop)
    {
        using var within = CancellationTokenSource.CreateLinkedTokenSource(stop);
        within.CancelAfter(timeout);
        try
        {
            await UntilClosedAsync(socket, within.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            stop.ThrowIfCancellationRequested();
            return false;
        }
    }
}
