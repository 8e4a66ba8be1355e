using System.Diagnostics.CodeAnalysis;
using System.Text.Unicode;
using Kamune.Wire;

namespace Kamune.Protocol;

/// <summary>
/// A copy-free protobuf reader for the per-message path (protocol.md layers 5 and 6). It accepts and rejects exactly
/// what Google.Protobuf's generated parsers do for the few messages read with it: tags are varints whose low 32 bits
/// count and whose field number must not be 0; varints end within 10 bytes; a length is the low 32 bits of a varint
/// read as a signed int; a known field number with another wire type is an unknown field; unknown fields are
/// skipped by wire type (groups nest at most <see cref="RecursionLimit"/> deep and must close with their own
/// number); an end-group tag outside a group, or wire type 6 or 7, fails the message; repeated scalars and byte
/// strings keep their last occurrence. A failure is <see cref="KamuneError.MalformedMessage"/>.
/// </summary>
internal ref struct ProtoSpanReader
{
    /// <summary>Google.Protobuf's default recursion limit: message and group nesting both count.</summary>
    public const int RecursionLimit = 100;

    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    public const int WireStartGroup = 3;
    public const int WireEndGroup = 4;
    public const int WireFixed32 = 5;

    private const int MaxVarintBytes = 10;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly string _what;
    private readonly Route _route;
    private readonly int _reportedLength;
    private int _position;

    /// <param name="buffer">The message's bytes.</param>
    /// <param name="what">The message named in errors ("Metadata").</param>
    /// <param name="route">When not INVALID, prefixed to <paramref name="what"/> ("Ping BytesValue"); formatted only on failure.</param>
    /// <param name="reportedLength">The byte count named in errors: the enclosing message's, for a nested one.</param>
    public ProtoSpanReader(ReadOnlySpan<byte> buffer, string what, Route route = Route.Invalid, int reportedLength = -1)
    {
        _buffer = buffer;
        _what = what;
        _route = route;
        _reportedLength = reportedLength < 0 ? buffer.Length : reportedLength;
        _position = 0;
    }

    public readonly bool IsAtEnd => _position >= _buffer.Length;

    public static int FieldNumber(uint tag) => (int)(tag >> 3);

    public static int WireType(uint tag) => (int)(tag & 7);

    /// <summary>
    /// The next tag of a message body. An end-group tag here has no group to close: Google.Protobuf stops the
    /// message there and then fails it, so it fails here at once.
    /// </summary>
    public uint ReadMessageTag()
    {
        var tag = ReadTag();
        if (WireType(tag) == WireEndGroup)
        {
            Fail($"an end-group tag (field {FieldNumber(tag)}) with no group open");
        }

        return tag;
    }

    public ulong ReadVarint64()
    {
        ulong result = 0;
        for (var i = 0; i < MaxVarintBytes; i++)
        {
            if (_position >= _buffer.Length)
            {
                Fail($"a varint cut off at byte {_position}");
            }

            var b = _buffer[_position++];
            result |= (ulong)(b & 0x7f) << (7 * i);
            if (b < 0x80)
            {
                return result;
            }
        }

        Fail($"a varint longer than {MaxVarintBytes} bytes ending at byte {_position}");
        return 0;
    }

    /// <summary>int32, enum and length fields: the low 32 bits of a varint of up to 10 bytes.</summary>
    public uint ReadVarint32() => (uint)ReadVarint64();

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = (int)ReadVarint32();
        if (length < 0)
        {
            Fail($"a negative length {length} at byte {_position}");
        }

        if (length > _buffer.Length - _position)
        {
            Fail($"a length of {length} bytes with {_buffer.Length - _position} left");
        }

        var value = _buffer.Slice(_position, length);
        _position += length;
        return value;
    }

    /// <summary>A proto3 string: any length-delimited value, which must be valid UTF-8 (returned as bytes, never decoded).</summary>
    public ReadOnlySpan<byte> ReadUtf8()
    {
        var value = ReadLengthDelimited();
        if (!Utf8.IsValid(value))
        {
            Fail("a string that is not valid UTF-8");
        }

        return value;
    }

    /// <summary>A reader over an embedded message's bytes, one level deeper, failing under this message's name.</summary>
    public readonly ProtoSpanReader Nested(ReadOnlySpan<byte> message) => new(message, _what, _route, _reportedLength);

    /// <summary>Skips the value of an unknown field whose tag was just read; <paramref name="depth"/> is the current nesting.</summary>
    public void SkipField(uint tag, int depth)
    {
        switch (WireType(tag))
        {
            case WireVarint:
                ReadVarint64();
                break;
            case WireFixed64:
                Skip(8);
                break;
            case WireLengthDelimited:
                ReadLengthDelimited();
                break;
            case WireStartGroup:
                SkipGroup(FieldNumber(tag), depth);
                break;
            case WireFixed32:
                Skip(4);
                break;
            case WireEndGroup:
                Fail($"an end-group tag (field {FieldNumber(tag)}) with no group open");
                break;
            default:
                Fail($"wire type {WireType(tag)} in tag {tag}");
                break;
        }
    }

    [DoesNotReturn]
    public readonly void Fail(string reason)
    {
        var what = _route == Route.Invalid ? _what : $"{_route} {_what}";
        throw new KamuneProtocolException(
            KamuneError.MalformedMessage, $"{what}: expected valid protobuf, got {_reportedLength} bytes that do not parse ({reason}).");
    }

    private uint ReadTag()
    {
        var tag = ReadVarint32();
        if (FieldNumber(tag) == 0)
        {
            Fail($"tag {tag} with field number 0");
        }

        return tag;
    }

    private void Skip(int count)
    {
        if (count > _buffer.Length - _position)
        {
            Fail($"a fixed-size field of {count} bytes with {_buffer.Length - _position} left");
        }

        _position += count;
    }

    private void SkipGroup(int fieldNumber, int depth)
    {
        if (depth >= RecursionLimit)
        {
            Fail($"groups nested deeper than {RecursionLimit}");
        }

        while (!IsAtEnd)
        {
            var tag = ReadTag();
            if (WireType(tag) == WireEndGroup)
            {
                if (FieldNumber(tag) != fieldNumber)
                {
                    Fail($"group {fieldNumber} closed by an end-group tag for field {FieldNumber(tag)}");
                }

                return;
            }

            SkipField(tag, depth + 1);
        }

        Fail($"group {fieldNumber} never closed");
    }
}
