using System.CommandLine;
using Kamune.Node.Home;

namespace Kamune.Node.Commands;

/// <summary><c>kamune-node identity new|show</c>: the node's long-term Ed25519 key and its fingerprints.</summary>
internal static class IdentityCommand
{
    public static Command Create(TextWriter output)
    {
        var home = CommonOptions.Home();
        var force = new Option<bool>("--force") { Description = "Replace an existing identity (peers that knew the old key will refuse this node)" };

        var create = new Command("new", "Create the node identity (Ed25519, PKCS#8 PEM, mode 0600)") { home, force };
        create.SetAction(parse =>
        {
            var store = new IdentityStore(NodeHome.Resolve(parse.GetValue(home)));
            using var identity = store.Create(SystemRandomSource.Instance, parse.GetValue(force));
            output.WriteLine($"Created identity {store.Path}");
            Print(output, identity.PublicIdentity);
            return 0;
        });

        var show = new Command("show", "Show the node identity and its fingerprints") { home };
        show.SetAction(parse =>
        {
            var store = new IdentityStore(NodeHome.Resolve(parse.GetValue(home)));
            using var identity = store.Load();
            output.WriteLine($"Identity {store.Path}");
            Print(output, identity.PublicIdentity);
            return 0;
        });

        return new Command("identity", "Create or show this node's identity") { create, show };
    }

    /// <summary>
    /// The forms a person compares with a peer out of band. The fingerprint (or the name, its base64 form) is the
    /// verification: all 256 bits. The emoji line is a quick check only: eight symbols of 96 are about 53 bits, few
    /// enough that a key with the same emoji line can be searched for (docs/security.md).
    /// </summary>
    public static void Print(TextWriter output, PublicIdentity identity, string indent = "  ")
    {
        var fingerprint = identity.Fingerprint;
        output.WriteLine($"{indent}name        {identity.DefaultName}");
        output.WriteLine($"{indent}fingerprint {fingerprint.HexColon}");
        output.WriteLine($"{indent}emoji       {Chat.DisplayWidth.EmojiColumns(fingerprint)}");
        output.WriteLine($"{indent}public key  {Convert.ToBase64String(identity.Pkix.Span)}");
        output.WriteLine(VerifyHint);
    }

    public const string VerifyHint =
        "To verify a peer, compare the whole fingerprint (or name) over another channel; the emoji line is a quick check only (about 53 bits).";
}
