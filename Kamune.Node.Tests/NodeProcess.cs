using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Kamune.Node.Tests;

/// <summary>
/// The real kamune-node executable, run as `dotnet kamune-node.dll ...` with its three standard streams
/// redirected. Every wait takes a timeout, so a hung node fails the test instead of hanging it.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _allStdout = new();

    private NodeProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public string StdoutSoFar
    {
        get
        {
            lock (_allStdout)
            {
                return _allStdout.ToString();
            }
        }
    }

    /// <summary>kamune-node.dll next to the test assembly (copied by the project reference), else the Kamune.Node build output.</summary>
    public static string ExecutablePath { get; } = Locate();

    /// <param name="readStdout">
    /// False: nothing reads stdout but <see cref="ReadUnreadStdoutLineAsync"/>, so once the pipe is full the node's
    /// writes to it block, as with a reading program that hung.
    /// </param>
    /// <param name="readStderr">False: nothing reads stderr at all (<see cref="Stderr"/> stays empty).</param>
    public static NodeProcess Start(
        IEnumerable<string> arguments, IDictionary<string, string>? environment = null, bool readStdout = true, bool readStderr = true)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(ExecutablePath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A developer's own KAMUNE_HOME must never leak into a test.
        info.Environment.Remove("KAMUNE_HOME");
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                node._stdout.Writer.TryComplete();
                return;
            }

            lock (node._allStdout)
            {
                node._allStdout.AppendLine(e.Data);
            }

            node._stdout.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (node._stderr)
                {
                    node._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        if (readStdout)
        {
            process.BeginOutputReadLine();
        }

        if (readStderr)
        {
            process.BeginErrorReadLine();
        }

        return node;
    }

    /// <summary>Runs to completion: exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        await using var node = Start(arguments, environment);
        node._process.StandardInput.Close();
        var code = await node.WaitForExitAsync(timeout ?? DefaultTimeout);
        return (code, node.StdoutSoFar, node.Stderr);
    }

    /// <summary>One stdout line of a node started with readStdout false; stdout is read no further than asked.</summary>
    public async Task<string?> ReadUnreadStdoutLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _process.StandardOutput.ReadLineAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no stdout line within {timeout ?? DefaultTimeout}; stderr: {Stderr}");
        }
    }

    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _stdout.Reader.ReadAsync(cts.Token);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no stdout line within {timeout ?? DefaultTimeout}; stderr: {Stderr}");
        }
    }

    /// <summary>Reads JSON event lines until one of type <paramref name="eventName"/> matching <paramref name="predicate"/> arrives.</summary>
    public async Task<JsonElement> WaitForEventAsync(string eventName, Func<JsonElement, bool>? predicate = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var seen = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no \"{eventName}\" event in time; saw: {string.Join(" | ", seen)}; stderr: {Stderr}");
            }

            string? line;
            try
            {
                line = await ReadLineAsync(left);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"no \"{eventName}\" event in time; saw: {string.Join(" | ", seen)}; stderr: {Stderr}");
            }

            if (line is null)
            {
                throw new InvalidOperationException($"stdout ended before a \"{eventName}\" event; saw: {string.Join(" | ", seen)}; stderr: {Stderr}");
            }

            seen.Add(line);
            var element = JsonDocument.Parse(line).RootElement;
            if (element.GetProperty("event").GetString() == eventName && (predicate is null || predicate(element)))
            {
                return element;
            }
        }
    }

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public void CloseStdin() => _process.StandardInput.Close();

    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public const int SigTerm = 15;
    public const int SigInt = 2;
    public const int SigHup = 1;

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kamune-node did not exit within {timeout ?? DefaultTimeout}; stderr: {Stderr}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "kamune-node.dll");
        if (File.Exists(beside))
        {
            return beside;
        }

        // bin/<Configuration>/<tfm>/ of the test project -> the same folders under Kamune.Node.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var root = configuration.Parent!.Parent!.Parent!;
        var built = Path.Combine(root.FullName, "Kamune.Node", "bin", configuration.Name, tfm.Name, "kamune-node.dll");
        if (File.Exists(built))
        {
            return built;
        }

        throw new FileNotFoundException($"kamune-node.dll: expected it at {beside} or {built}, got neither; build Kamune.Node first");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
