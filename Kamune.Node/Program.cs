using Kamune.Abstractions;
using Kamune.Identity;

// Until the actor runtime lands, the demo shows a fresh node identity and its fingerprints.
using var identity = IdentityKeyPair.Generate(SystemRandomSource.Instance);
var fingerprint = identity.PublicIdentity.Fingerprint;
Console.WriteLine($"name:        {identity.PublicIdentity.DefaultName}");
Console.WriteLine($"public key:  {Convert.ToBase64String(identity.PublicIdentity.Pkix.Span)}");
Console.WriteLine($"sha256:      {fingerprint.HexColon}");
Console.WriteLine($"emoji:       {fingerprint.Emoji}");
