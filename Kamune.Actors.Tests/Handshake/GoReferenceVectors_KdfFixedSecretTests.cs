namespace Kamune.Tests.Handshake;

/// <summary>
/// The key schedule against go-reference-0.7.0.json section "kdf_fixed_secret": the handshake_chain
/// formulas with secret 00..1f and a given transcript hash e0..ff.
/// </summary>
public class GoReferenceVectors_KdfFixedSecretTests() : KeyScheduleVectorChecks("kdf_fixed_secret")
{
    protected override byte[] TranscriptHashUnderTest() => Field("transcript_hash");
}
