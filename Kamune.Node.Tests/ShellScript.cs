using System.Diagnostics;
using System.Text;

namespace Kamune.Node.Tests;

/// <summary>
/// A bash script run as a user's script would be: non-interactive, no standard input, with `kamune-node` on PATH as a
/// wrapper that execs the built kamune-node.dll (so `$!` and `kill` reach the node itself), so README recipes run
/// as written.
/// </summary>
internal static class ShellScript
{
    /// <summary>A folder holding the `kamune-node` wrapper; put it first on PATH.</summary>
    public static string BinDirectory { get; } = CreateBin();

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string script, string workingDirectory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("set -eu\n" + script);
        info.Environment.Remove("KAMUNE_HOME");
        info.Environment["PATH"] = BinDirectory + Path.PathSeparator + info.Environment["PATH"];
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the script did not end within {timeout}: {script}\nstdout: {await stdout}\nstderr: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string CreateBin()
    {
        // One folder per build of the node (its path names it), reused by every run of these tests.
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(NodeProcess.ExecutablePath)))[..16];
        var bin = Path.Combine(Path.GetTempPath(), "kamune-node-tests", "bin-" + hash);
        Directory.CreateDirectory(bin);
        var wrapper = Path.Combine(bin, "kamune-node");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{NodeProcess.ExecutablePath}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return bin;
    }
}
