using System.Collections.Immutable;
using System.Text;

namespace Pipelock.Scanners.Policy;

public static partial class ShellDeobfuscator
{
    /// <summary>
    /// De-obfuscates every argument string in one view and tokenises on whitespace. Arguments past
    /// <see cref="MaxInputChars"/> in total are not examined; tokens past <see cref="MaxTokens"/> are only in the joined form.
    /// </summary>
    public static ShellView Tokenize(IReadOnlyList<string> args, ShellViewKind kind)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0) return ShellView.Empty;
        var tokens = ImmutableArray.CreateBuilder<string>();
        var origins = ImmutableArray.CreateBuilder<int>();
        var joined = new StringBuilder();
        int remaining = MaxInputChars;
        bool saturated = false;
        for (int a = 0; a < args.Count && remaining > 0; a++)
        {
            var arg = args[a];
            if (arg.Length > remaining) arg = arg[..remaining];
            remaining -= arg.Length;
            var text = Deobfuscate(arg, kind, out bool sat);
            saturated |= sat;
            foreach (var range in text.AsSpan().SplitAny(" \t\n\r\f\v"))
            {
                var tok = text.AsSpan()[range];
                if (tok.IsEmpty) continue;
                if (joined.Length > 0) joined.Append(' ');
                joined.Append(tok);
                if (tokens.Count < MaxTokens)
                {
                    tokens.Add(tok.ToString());
                    origins.Add(a);
                }
            }
        }
        return new ShellView(tokens.ToImmutable(), origins.ToImmutable(), joined.ToString()) { Saturated = saturated };
    }
}
