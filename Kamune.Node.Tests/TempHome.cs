namespace Kamune.Node.Tests;

/// <summary>A fresh, private node home per test, removed afterwards.</summary>
internal sealed class TempHome : IDisposable
{
    public TempHome()
    {
        Directory = Path.Combine(Path.GetTempPath(), "kamune-node-tests", Guid.NewGuid().ToString("N"));
        // Owner-only, as a node home must be (PrivatePath refuses one others may write, whatever the umask).
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Directory { get; }

    public string Sub(string name) => Path.Combine(Directory, name);

    /// <summary>A node home under this one with a fresh identity, made by `kamune-node identity new`.</summary>
    public async Task<string> NodeHomeAsync(string name)
    {
        var home = Sub(name);
        Assert.Equal(0, (await NodeProcess.RunAsync(["identity", "new", "--home", home])).ExitCode);
        return home;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A node still shutting down may hold a file for a moment; the OS temp cleaner gets the rest.
        }
    }
}
