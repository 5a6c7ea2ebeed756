using System.Buffers;
using System.Text;
using System.Text.Json;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Cli;

/// <summary>
/// Parses and scans the lines of one batch: <c>{"id": string|number, "text": string, "where"?: carrier}</c>, other
/// fields ignored. Writes <c>{"id","flagged","findings":[{"scanner","rule","severity"}]}</c> per record. A record
/// without id gets its line number as id. Thread-safe: one instance serves all batches.
/// </summary>
internal sealed class JsonlLineProcessor(ICarrierScanner scanner, ScanKind kind)
{
    private static readonly JsonEncodedText IdProp = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText FlaggedProp = JsonEncodedText.Encode("flagged");
    private static readonly JsonEncodedText FindingsProp = JsonEncodedText.Encode("findings");
    private static readonly JsonEncodedText ScannerProp = JsonEncodedText.Encode("scanner");
    private static readonly JsonEncodedText RuleProp = JsonEncodedText.Encode("rule");
    private static readonly JsonEncodedText SeverityProp = JsonEncodedText.Encode("severity");
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public JsonlBatchResult ProcessBatch(ReadOnlySpan<byte> data, long firstLine)
    {
        var outBuf = new ArrayBufferWriter<byte>(Math.Max(256, data.Length / 8));
        using var w = new Utf8JsonWriter(outBuf, WriterOptions);
        List<string>? errors = null;
        int records = 0, flagged = 0;
        long line = firstLine;
        if (firstLine == 1 && data.StartsWith("\uFEFF"u8)) data = data[3..]; // editors on Windows prepend a UTF-8 BOM
        while (!data.IsEmpty)
        {
            int nl = data.IndexOf((byte)'\n');
            var lineSpan = nl < 0 ? data : data[..nl];
            data = nl < 0 ? default : data[(nl + 1)..];
            if (!lineSpan.IsEmpty && lineSpan[^1] == (byte)'\r') lineSpan = lineSpan[..^1];
            if (lineSpan.Trim(" \t"u8).IsEmpty) { line++; continue; }
            var error = ProcessLine(lineSpan, line, w, outBuf, out bool isFlagged);
            if (error is null) { records++; if (isFlagged) flagged++; }
            else (errors ??= []).Add(error);
            line++;
        }
        return new JsonlBatchResult(outBuf.WrittenMemory, (IReadOnlyList<string>?)errors ?? [], records, flagged);
    }

    private string? ProcessLine(ReadOnlySpan<byte> line, long lineNo, Utf8JsonWriter w, ArrayBufferWriter<byte> outBuf, out bool isFlagged)
    {
        isFlagged = false;
        string? id = null, text = null;
        bool idIsNumber = false;
        var where = Carrier.Text;
        try
        {
            var r = new Utf8JsonReader(line, ReaderOptions);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return Bad(lineNo, null, "not a JSON object");
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("id"u8))
                {
                    r.Read();
                    if (r.TokenType == JsonTokenType.String) id = r.GetString();
                    else if (r.TokenType == JsonTokenType.Number) { id = Encoding.UTF8.GetString(r.ValueSpan); idIsNumber = true; }
                    else return Bad(lineNo, null, "\"id\" must be a string or a number");
                }
                else if (r.ValueTextEquals("text"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.String) return Bad(lineNo, id, "\"text\" must be a string");
                    text = r.GetString();
                }
                else if (r.ValueTextEquals("where"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.String || !CarrierNames.TryParseCarrier(r.GetString(), out where))
                        return Bad(lineNo, id, "\"where\" must be one of " + string.Join(", ", CarrierNames.CarrierWords));
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }
            if (r.TokenType != JsonTokenType.EndObject || r.Read()) return Bad(lineNo, id, "not a single JSON object");
        }
        catch (JsonException e)
        {
            return Bad(lineNo, id, "invalid JSON: " + e.Message);
        }
        if (text is null) return Bad(lineNo, id, "missing \"text\"");

        Verdict v;
        try
        {
            v = scanner.Scan(kind, where, text);
        }
        catch (ScannerUnavailableException) { throw; }
        catch (Exception e)
        {
            return Bad(lineNo, id, "scan failed: " + e.Message);
        }

        isFlagged = !v.IsClean;
        w.WriteStartObject();
        if (id is null) w.WriteNumber(IdProp, lineNo);
        else if (idIsNumber) { w.WritePropertyName(IdProp); w.WriteRawValue(id, skipInputValidation: true); }
        else w.WriteString(IdProp, id);
        w.WriteBoolean(FlaggedProp, isFlagged);
        w.WriteStartArray(FindingsProp);
        foreach (var f in v.Findings)
        {
            w.WriteStartObject();
            w.WriteString(ScannerProp, f.Scanner);
            w.WriteString(RuleProp, f.Rule);
            w.WriteString(SeverityProp, FindingFormatter.Word(f.Severity));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        outBuf.Write("\n"u8);
        w.Reset();
        return null;
    }

    private static string Bad(long lineNo, string? id, string message) =>
        id is null ? $"line {lineNo}: {message}" : $"line {lineNo} (id \"{Redaction.Excerpt(id, 64)}\"): {message}";
}
