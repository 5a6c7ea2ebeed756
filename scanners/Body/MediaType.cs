namespace Pipelock.Scanners.Body;

/// <summary>Minimal RFC 9110 media-type parse: lower-case type/subtype plus parameters (quoted values unquoted).</summary>
public readonly record struct MediaType(string Type, IReadOnlyDictionary<string, string> Parameters)
{
    private static readonly Dictionary<string, string> None = new();

    public static MediaType Parse(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return new MediaType("", None);
        var parts = contentType.Split(';');
        var type = parts[0].Trim().ToLowerInvariant();
        Dictionary<string, string>? ps = null;
        for (int i = 1; i < parts.Length; i++)
        {
            int eq = parts[i].IndexOf('=');
            if (eq <= 0) continue;
            var key = parts[i][..eq].Trim().ToLowerInvariant();
            var value = parts[i][(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal);
            (ps ??= new(StringComparer.Ordinal)).TryAdd(key, value);
        }
        return new MediaType(type, ps ?? None);
    }

    public bool IsJson => Type is "application/json" || Type.EndsWith("+json", StringComparison.Ordinal);
    public bool IsForm => Type == "application/x-www-form-urlencoded";
    public bool IsMultipart => Type.StartsWith("multipart/", StringComparison.Ordinal);

    public string? Get(string name) => Parameters.TryGetValue(name, out var v) ? v : null;
}
