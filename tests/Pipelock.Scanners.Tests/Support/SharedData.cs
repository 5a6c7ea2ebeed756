using System.IO.Compression;
using System.Text.Json;

namespace Pipelock.Scanners.Tests.Support;

/// <summary>
/// Locates <c>shared/</c> (reference fixtures and corpora) beside the repository: CI clones the repo into some folder
/// with a copy of shared/ next to it, developers have it at ../shared. PIPELOCK_SHARED overrides.
/// Corpus records are read at test time and never copied into the repo.
/// </summary>
public static class SharedData
{
    public static string? Root { get; } = Find();

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("PIPELOCK_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "corpora"))) return candidate;
        }
        return null;
    }

    public static string Corpus(string name) =>
        Path.Combine(Root ?? throw new InvalidOperationException("shared/ not found beside the repository; set PIPELOCK_SHARED"), "corpora", "dev", name);

    public static string Fixture(string name) =>
        Path.Combine(Root ?? throw new InvalidOperationException("shared/ not found beside the repository; set PIPELOCK_SHARED"), "reference", "fixtures", name);

    /// <summary>Reads a gzip JSONL corpus file as (id, text, label, category, source) records.</summary>
    public static IEnumerable<CorpusRecord> ReadCorpus(string name)
    {
        using var fs = File.OpenRead(Corpus(name));
        using var gz = new GZipStream(fs, CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            yield return new CorpusRecord(
                r.GetProperty("id").GetString()!,
                r.GetProperty("text").GetString()!,
                r.GetProperty("label").GetString()!,
                r.TryGetProperty("category", out var c) ? c.GetString() ?? "" : "",
                r.TryGetProperty("source", out var s) ? s.GetString() ?? "" : "");
        }
    }
}

public sealed record CorpusRecord(string Id, string Text, string Label, string Category, string Source)
{
    public bool Malicious => Label == "malicious";
}
