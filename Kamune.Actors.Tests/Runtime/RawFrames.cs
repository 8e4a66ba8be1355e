using System.Buffers.Binary;
using System.Net.Sockets;

namespace Kamune.Tests.Runtime;

/// <summary>Frames over a plain socket, for tests that play the remote side without Akka.</summary>
internal static class RawFrames
{
    public static async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> payload)
    {
        var header = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)payload.Length);
        // Two writes, as the Go reference does (protocol.md "Metadata per phase"): one read is never one frame.
        await stream.WriteAsync(header);
        await stream.WriteAsync(payload);
    }

    /// <summary>The next frame payload, or null when the remote closed cleanly at a frame boundary.</summary>
    public static async Task<byte[]?> ReadAsync(Stream stream)
    {
        var header = new byte[2];
        var first = await stream.ReadAsync(header.AsMemory(0, 1));
        if (first == 0)
        {
            return null;
        }

        await stream.ReadExactlyAsync(header.AsMemory(1, 1));
        var payload = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await stream.ReadExactlyAsync(payload);
        return payload;
    }

    /// <summary>
    /// Connects to <paramref name="port"/> and reports whether the node closed the connection within
    /// <paramref name="timeout"/>. A node that refuses at accept resets the socket at once, and that reset can reach
    /// the client before its own connect has completed: a connect that fails so counts as closed.
    /// </summary>
    public static async Task<bool> RefusedWithinAsync(int port, TimeSpan timeout)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }

        return await ClosedWithinAsync(client, timeout);
    }

    /// <summary>True once the remote closed (FIN or reset) within <paramref name="timeout"/>, reading and discarding until then.</summary>
    public static async Task<bool> ClosedWithinAsync(TcpClient client, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (await client.Client.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A client of an echoing handler (the manager tests' EchoHandler), checked to echo once before use.</summary>
    public static async Task<TcpClient> ConnectEchoingAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
        try
        {
            await AssertEchoesAsync(client);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>One frame written comes back unchanged within five seconds.</summary>
    public static async Task AssertEchoesAsync(TcpClient client)
    {
        var payload = new byte[] { 42, 43, 44 };
        await WriteAsync(client.GetStream(), payload);
        Xunit.Assert.Equal(payload, await ReadAsync(client.GetStream()).WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
