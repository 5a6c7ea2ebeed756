using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Pipelock.Agent.Cli;

/// <summary>
/// <c>pipelock check --jsonl</c>: streams records <c>{"id","text","where"?}</c>, scans them in parallel and writes
/// one result line per record in input order. The input is cut into ~128 KiB batches at line boundaries; each
/// batch is parsed and scanned on the thread pool while the reader goes on, and finished batches are written in
/// order (a bounded queue of in-flight batches keeps memory flat on any input size). Bad lines are reported on
/// stderr with their line number and id, never dropped silently.
/// </summary>
internal sealed class JsonlBatchRunner(ICarrierScanner scanner, ScanKind kind, int maxLineBytes = JsonlBatchRunner.MaxLineBytes)
{
    private const int TargetBatchBytes = 128 * 1024;
    /// <summary>One record may not exceed this; the line is reported and skipped.</summary>
    internal const int MaxLineBytes = 64 * 1024 * 1024;

    private readonly JsonlLineProcessor _lines = new(scanner, kind);
    private readonly int _target = Math.Min(TargetBatchBytes, maxLineBytes / 2);

    public JsonlSummary Run(Stream input, TextWriter output, TextWriter err)
    {
        var sw = Stopwatch.StartNew();
        var pending = new Queue<Task<JsonlBatchResult>>();
        int maxInFlight = Math.Max(2, Environment.ProcessorCount * 2);
        long records = 0, flagged = 0, bad = 0, bytes = 0, nextLine = 1;

        void Drain(int keep)
        {
            while (pending.Count > keep)
            {
                var r = pending.Dequeue().GetAwaiter().GetResult();
                WriteBytes(output, r.Output);
                foreach (var e in r.Errors) err.WriteLine(e);
                records += r.Records; flagged += r.Flagged; bad += r.Errors.Count;
            }
        }

        void Dispatch(ReadOnlySpan<byte> data, long firstLine)
        {
            var copy = ArrayPool<byte>.Shared.Rent(data.Length);
            data.CopyTo(copy);
            int len = data.Length;
            pending.Enqueue(Task.Run(() =>
            {
                try { return _lines.ProcessBatch(copy.AsSpan(0, len), firstLine); }
                finally { ArrayPool<byte>.Shared.Return(copy); }
            }));
            Drain(maxInFlight);
        }

        var buf = new byte[_target * 2];
        int filled = 0;
        bool eof = false;
        while (!eof)
        {
            if (filled == buf.Length)
            {
                if (buf.Length >= maxLineBytes)
                {
                    // A single line longer than the cap: report it, drop the rest of it, continue after it.
                    pending.Enqueue(Task.FromResult(JsonlBatchResult.Error($"line {nextLine}: longer than {maxLineBytes} bytes; skipped")));
                    filled = SkipRestOfLine(input, buf, ref bytes, out eof);
                    nextLine++;
                    continue;
                }
                Array.Resize(ref buf, Math.Min(buf.Length * 2, maxLineBytes));
            }
            int n = input.Read(buf, filled, buf.Length - filled);
            if (n == 0) { eof = true; break; }
            bytes += n;
            filled += n;
            if (filled < _target) continue;
            int last = buf.AsSpan(0, filled).LastIndexOf((byte)'\n');
            if (last < 0) continue;
            var batch = buf.AsSpan(0, last + 1);
            Dispatch(batch, nextLine);
            nextLine += batch.Count((byte)'\n');
            buf.AsSpan(last + 1, filled - last - 1).CopyTo(buf);
            filled -= last + 1;
        }
        if (filled > 0) Dispatch(buf.AsSpan(0, filled), nextLine);
        Drain(0);
        Flush(output);
        return new JsonlSummary(records, flagged, bad, bytes, sw.Elapsed);
    }

    /// <summary>Reads and discards up to the next newline; leaves the bytes after it at the start of <paramref name="buf"/>.</summary>
    private static int SkipRestOfLine(Stream input, byte[] buf, ref long bytes, out bool eof)
    {
        eof = false;
        while (true)
        {
            int n = input.Read(buf, 0, buf.Length);
            if (n == 0) { eof = true; return 0; }
            bytes += n;
            int nl = buf.AsSpan(0, n).IndexOf((byte)'\n');
            if (nl < 0) continue;
            buf.AsSpan(nl + 1, n - nl - 1).CopyTo(buf);
            return n - nl - 1;
        }
    }

    /// <summary>Writes UTF-8 straight to the underlying stream when there is one (no transcoding on the hot path).</summary>
    private static void WriteBytes(TextWriter output, ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty) return;
        if (output is StreamWriter { BaseStream: { CanWrite: true } bs } sw && sw.Encoding.CodePage == Encoding.UTF8.CodePage)
        {
            sw.Flush();
            bs.Write(data.Span);
        }
        else output.Write(Encoding.UTF8.GetString(data.Span));
    }

    private static void Flush(TextWriter output)
    {
        output.Flush();
        if (output is StreamWriter sw) sw.BaseStream.Flush();
    }
}
