using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Pipelock.Scanners.Body;

/// <summary>
/// Whether a compressed body ends exactly where its compressed stream does. .NET's GZipStream, DeflateStream and
/// BrotliStream stop at the end of the stream and silently drop whatever follows, so "gzip(clean text) + secret"
/// decodes clean while its raw bytes, which are what gets forwarded, still carry the secret. zlib's inflate reports
/// the input it consumed (<c>total_in</c>), Brotli's <see cref="BrotliDecoder"/> its <c>bytesConsumed</c>; anything
/// left over (other than a further gzip member) means bytes no scan saw. The system zlib is used through P/Invoke
/// because the BCL exposes no inflater that reports its input position; without it the check fails closed.
/// </summary>
public static class CompressedStreamEnd
{
    private const string Zlib = "libz.so.1";
    private const int ZOk = 0, ZStreamEnd = 1, ZNoFlush = 0;

    /// <summary>True when <paramref name="input"/> is one complete stream of <paramref name="coding"/> (gzip: one or more members) and nothing else.</summary>
    public static bool EndsExactly(string coding, ReadOnlyMemory<byte> input) => coding switch
    {
        "gzip" or "x-gzip" => InflateEndsExactly(input, 15 + 16, allowMembers: true),
        "deflate" => InflateEndsExactly(input, LooksLikeZlib(input.Span) ? 15 : -15, allowMembers: false),
        "br" => BrotliEndsExactly(input.Span),
        _ => false,
    };

    private static bool BrotliEndsExactly(ReadOnlySpan<byte> input)
    {
        using var decoder = new BrotliDecoder();
        var scratch = new byte[64 * 1024];
        int consumed = 0;
        while (true)
        {
            var status = decoder.Decompress(input[consumed..], scratch, out int read, out _);
            consumed += read;
            switch (status)
            {
                case System.Buffers.OperationStatus.Done: return consumed == input.Length;
                case System.Buffers.OperationStatus.DestinationTooSmall: continue;
                default: return false; // truncated or invalid
            }
        }
    }

    private static bool InflateEndsExactly(ReadOnlyMemory<byte> input, int windowBits, bool allowMembers)
    {
        var source = MemoryMarshal.TryGetArray(input, out var segment) ? segment : new ArraySegment<byte>(input.ToArray());
        var scratch = new byte[64 * 1024];
        var inHandle = GCHandle.Alloc(source.Array!, GCHandleType.Pinned);
        var outHandle = GCHandle.Alloc(scratch, GCHandleType.Pinned);
        var z = new ZStream();
        bool initialised = false;
        try
        {
            z.NextIn = inHandle.AddrOfPinnedObject() + source.Offset;
            z.AvailIn = (uint)source.Count;
            if (InflateInit2(ref z, windowBits, "1.2.13", Marshal.SizeOf<ZStream>()) != ZOk) return false;
            initialised = true;
            while (true)
            {
                z.NextOut = outHandle.AddrOfPinnedObject();
                z.AvailOut = (uint)scratch.Length;
                int rc = Inflate(ref z, ZNoFlush);
                if (rc == ZOk) continue;
                if (rc != ZStreamEnd) return false; // corrupt, or truncated (no progress possible)
                if (z.AvailIn == 0) return true;
                // gzip allows further members; anything else after the end is data no decoder will show us.
                long at = source.Count - z.AvailIn;
                if (!allowMembers || z.AvailIn < 2 || source.Array![source.Offset + (int)at] != 0x1F || source.Array[source.Offset + (int)at + 1] != 0x8B) return false;
                if (InflateReset(ref z) != ZOk) return false;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // no zlib to prove the end with: fail closed
        }
        finally
        {
            if (initialised) InflateEnd(ref z);
            inHandle.Free();
            outHandle.Free();
        }
    }

    /// <summary>RFC 1950 header: CM = 8 and the 16-bit header is a multiple of 31.</summary>
    internal static bool LooksLikeZlib(ReadOnlySpan<byte> b) => b.Length >= 2 && (b[0] & 0x0F) == 8 && (b[0] << 8 | b[1]) % 31 == 0;

    /// <summary>zlib's z_stream on LP64 (Linux x64/arm64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public nint NextIn;
        public uint AvailIn;
        public nuint TotalIn;
        public nint NextOut;
        public uint AvailOut;
        public nuint TotalOut;
        public nint Msg;
        public nint State;
        public nint ZAlloc;
        public nint ZFree;
        public nint Opaque;
        public int DataType;
        public nuint Adler;
        public nuint Reserved;
    }

#pragma warning disable SYSLIB1054 // DllImport: LibraryImport would need unsafe code for the struct by reference
    [DllImport(Zlib, EntryPoint = "inflateInit2_", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int InflateInit2(ref ZStream stream, int windowBits, string version, int streamSize);

    [DllImport(Zlib, EntryPoint = "inflate")]
    private static extern int Inflate(ref ZStream stream, int flush);

    [DllImport(Zlib, EntryPoint = "inflateReset")]
    private static extern int InflateReset(ref ZStream stream);

    [DllImport(Zlib, EntryPoint = "inflateEnd")]
    private static extern int InflateEnd(ref ZStream stream);
#pragma warning restore SYSLIB1054
}
