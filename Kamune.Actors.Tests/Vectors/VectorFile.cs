using System.Text.Json;

namespace Kamune.Tests.Vectors;

/// <summary>Reads the JSON vector files copied beside the tests (see PROVENANCE.md).</summary>
public static class VectorFile
{
    private static readonly Dictionary<string, JsonElement> Cache = new();

    public static JsonElement Load(string fileName)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(fileName, out var root))
            {
                var path = Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);
                using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
                root = doc.RootElement.Clone();
                Cache[fileName] = root;
            }

            return root;
        }
    }

    /// <summary>The Go reference's known answers (go-reference-0.7.0.json).</summary>
    public static JsonElement GoReference => Load("go-reference-0.7.0.json");

    public static byte[] Hex(JsonElement element) => Hex(element.GetString() ?? string.Empty);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
