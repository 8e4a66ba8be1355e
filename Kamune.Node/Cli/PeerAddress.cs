using System.Globalization;
using System.Net;

namespace Kamune.Node.Cli;

/// <summary>
/// A HOST:PORT as the user types it: a name, an IPv4 address, or an IPv6 address in brackets ("[::1]:7411").
/// <see cref="ToString"/> gives the same form back, so it doubles as the known-peers key of a dialed address.
/// </summary>
public sealed record PeerAddress(string Host, int Port)
{
    /// <summary>Parses HOST:PORT; <paramref name="allowPortZero"/> for listening, where 0 asks the OS for a free port.</summary>
    public static bool TryParse(string? text, bool allowPortZero, out PeerAddress? address, out string error)
    {
        address = null;
        var value = text?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            error = "expected HOST:PORT, got an empty value";
            return false;
        }

        string host;
        string portText;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= value.Length || value[close + 1] != ':')
            {
                error = $"expected [IPv6]:PORT, got \"{value}\"";
                return false;
            }

            host = value[1..close];
            portText = value[(close + 2)..];
            if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                error = $"expected an IPv6 address inside the brackets, got \"{host}\"";
                return false;
            }
        }
        else
        {
            var colon = value.LastIndexOf(':');
            if (colon <= 0)
            {
                error = $"expected HOST:PORT, got \"{value}\"";
                return false;
            }

            host = value[..colon];
            portText = value[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                error = $"expected an IPv6 address in brackets ([{host}]:{portText}), got \"{value}\"";
                return false;
            }

            if (!IsHostName(host))
            {
                error = $"expected a host name or IP address, got \"{host}\"";
                return false;
            }
        }

        var minPort = allowPortZero ? 0 : 1;
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port < minPort || port > ushort.MaxValue)
        {
            error = $"expected a port in {minPort}..65535, got \"{portText}\"";
            return false;
        }

        address = new PeerAddress(host, port);
        error = string.Empty;
        return true;
    }

    /// <summary>Like <see cref="TryParse"/>, but a bad value is a usage error for the user.</summary>
    public static PeerAddress Parse(string? text, bool allowPortZero, string what)
    {
        if (!TryParse(text, allowPortZero, out var address, out var error))
        {
            throw new NodeException($"{what}: {error}", ExitCodes.Usage);
        }

        return address!;
    }

    /// <summary>The form of an endpoint the runtime reports (an IPEndPoint or a DnsEndPoint).</summary>
    public static string Format(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => new PeerAddress(ip.Address.MapToIPv4().ToString(), ip.Port).ToString(),
        IPEndPoint ip => new PeerAddress(ip.Address.ToString(), ip.Port).ToString(),
        DnsEndPoint dns => new PeerAddress(dns.Host, dns.Port).ToString(),
        null => "unknown",
        _ => endPoint.ToString() ?? "unknown",
    };

    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    private static bool IsHostName(string host)
    {
        if (host.Length > 253)
        {
            return false;
        }

        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
