
namespace Pipelock.Scanners.Body;

/// <summary>
/// Turns a (content-decoded) request body into the strings DLP scans, by media type: JSON → every key and value;
/// form → keys and values; multipart → part headers, filenames, bodies; anything else → the raw text. A body
/// labelled as text (or unlabelled) that is really JSON is also opened as JSON, so the label cannot hide structure
/// (escaped "\u0073k-ant-…" only becomes the secret once parsed).
/// </summary>
public static class BodyTextExtractor
{
    public static BodyExtraction Extract(string? contentType, ReadOnlySpan<byte> body, BodyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var texts = new List<string>();
        var values = new List<string>();
        if (body.IsEmpty) return new BodyExtraction(texts, null) { Values = values };
        var mt = MediaType.Parse(contentType);
        string? error;
        if (mt.IsJson)
        {
            var r = JsonTextExtractor.Extract(body, options.MaxJsonDepth, options.MaxJsonNodes, texts, out error, values);
            if (r == JsonTextExtractor.Outcome.Invalid) return BodyExtraction.Fail(error!);
            // Past the node cap, the raw body is scanned whole: bounded work, and nothing goes unscanned.
            if (r == JsonTextExtractor.Outcome.NodeCapReached) texts.Add(System.Text.Encoding.UTF8.GetString(body));
            return new BodyExtraction(texts, null) { Values = values };
        }
        if (mt.IsForm)
        {
            if (!FormTextExtractor.Extract(body, options.MaxJsonNodes, texts, out error, values)) return BodyExtraction.Fail(error!);
            return new BodyExtraction(texts, null) { Values = values };
        }
        if (mt.IsMultipart)
        {
            if (!MultipartTextExtractor.Extract(body, mt.Get("boundary"), options, texts, out error)) return BodyExtraction.Fail(error!);
            return new BodyExtraction(texts, null) { Values = values };
        }

        texts.Add(System.Text.Encoding.UTF8.GetString(body));
        if (JsonTextExtractor.LooksLikeJson(body))
        {
            var json = new List<string>();
            if (JsonTextExtractor.Extract(body, options.MaxJsonDepth, options.MaxJsonNodes, json, out _, values) == JsonTextExtractor.Outcome.Ok)
                texts.AddRange(json);
            else values.Clear();
        }
        return new BodyExtraction(texts, null) { Values = values };
    }
}
