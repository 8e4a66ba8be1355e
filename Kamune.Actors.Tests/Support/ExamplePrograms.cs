using System.Diagnostics;

namespace Kamune.Tests.Support;

/// <summary>Runs an example program of examples/ as a real process (issue 17 item 8: docs whose examples run).</summary>
internal static class ExamplePrograms
{
    /// <summary>Runs the example in <paramref name="folder"/> (relative to the repository) and returns how it ended.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string folder, TimeSpan deadline)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll(folder));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet: expected a process, got none");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{folder} did not exit within {deadline}; stdout so far:\n{await stdout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    // bin/<Configuration>/<tfm>/ of this test project -> the same folders of the example (a project reference builds it).
    private static string Dll(string folder)
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var name = Path.GetFileName(folder) + ".dll";
        var dll = Path.Combine(DocQuotes.RepositoryRoot(), folder, "bin", configuration.Name, tfm.Name, name);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{folder}: expected {dll}, got none; build the solution first");
    }
}
