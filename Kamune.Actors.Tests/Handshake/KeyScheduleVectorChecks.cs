using System.Text;
using System.Text.Json;
using Kamune.Protocol;
using Kamune.Tests.Vectors;

namespace Kamune.Tests.Handshake;

/// <summary>
/// The key-schedule checks shared by the go-reference sections "handshake_chain" and
/// "kdf_fixed_secret", which use the same formulas on different inputs.
/// </summary>
public abstract class KeyScheduleVectorChecks
{
    protected KeyScheduleVectorChecks(string section) => Section = VectorFile.GoReference.GetProperty(section);

    protected JsonElement Section { get; }

    protected byte[] Field(string name) => VectorFile.Hex(Section.GetProperty(name));

    protected string Text(string name) => Section.GetProperty(name).GetString()!;

    /// <summary>The transcript hash the challenge tokens bind to in this section.</summary>
    protected abstract byte[] TranscriptHashUnderTest();

    [Theory]
    [InlineData(Direction.ClientToServer, "initiator_salt", "key_c2s")]
    [InlineData(Direction.ServerToClient, "responder_salt", "key_s2c")]
    public void DirectionKey_matches_the_Go_session_key(object directionValue, string saltField, string keyField)
    {
        // Boxed: xunit theories must be public, Direction is internal to the library.
        var direction = (Direction)directionValue;
        var key = new byte[KeySchedule.KeySize];

        KeySchedule.DirectionKey(Field("secret"), Field(saltField), Text("session_id"), direction, key);

        Assert.Equal(Field(keyField), key);
    }

    [Theory]
    [InlineData(Direction.ClientToServer, "key_c2s_info_text")]
    [InlineData(Direction.ServerToClient, "key_s2c_info_text")]
    public void Direction_info_is_label_then_session_id(object directionValue, string infoField)
    {
        // Boxed: xunit theories must be public, Direction is internal to the library.
        var direction = (Direction)directionValue;
        Assert.Equal(Encoding.UTF8.GetBytes(Text(infoField)), KeySchedule.DirectionInfo(Text("session_id"), direction));
    }

    [Theory]
    [InlineData(Direction.ClientToServer, "challenge_c2s_info", "challenge_c2s")]
    [InlineData(Direction.ServerToClient, "challenge_s2c_info", "challenge_s2c")]
    public void ChallengeToken_matches_the_Go_token_and_info(object directionValue, string infoField, string tokenField)
    {
        // Boxed: xunit theories must be public, Direction is internal to the library.
        var direction = (Direction)directionValue;
        var transcriptHash = TranscriptHashUnderTest();
        var token = new byte[KeySchedule.KeySize];

        KeySchedule.ChallengeToken(Field("secret"), Text("session_id"), direction, transcriptHash, token);

        Assert.Equal(Field(infoField), KeySchedule.ChallengeInfo(Text("session_id"), direction, transcriptHash));
        Assert.Equal(Field(tokenField), token);
    }

    [Fact]
    public void ResumptionRoot_matches_the_Go_root()
    {
        using var keys = ResumptionKeys.Derive(Field("secret"), Text("session_id"));

        Assert.Equal(Field("resumption_root"), keys.RootBuffer);
    }

    [Fact]
    public void All_twenty_resumption_tokens_match_the_Go_tokens()
    {
        using var keys = ResumptionKeys.Derive(Field("secret"), Text("session_id"));
        var expected = Section.GetProperty("resumption_tokens").EnumerateArray().Select(VectorFile.Hex).ToArray();
        var token = new byte[KeySchedule.KeySize];

        Assert.Equal(20, expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            keys.Token((uint)i, token);
            Assert.Equal(expected[i], token);
        }

        Assert.Equal(Field("resumption_token_info_0"), KeySchedule.ResumptionTokenInfo(0));
    }
}
