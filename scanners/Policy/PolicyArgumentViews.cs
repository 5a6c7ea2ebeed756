using Pipelock.Scanners.Text;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// The argument strings of one call, read in every view: the three de-obfuscated views of §3.8 plus the literal
/// strings (a file tool opens <c>id_rsa.p'ub</c> with the quote in the name, so quote stripping must not be the only
/// reading). Payloads a runtime decoder would produce (rev, base64, gzip) are appended as extra arguments.
/// Views are built on first use and shared by all rules; pure-ASCII input has one de-obfuscated view, not three.
/// </summary>
internal sealed class PolicyArgumentViews
{
    private const int MaxPairwiseTokens = 64;

    private readonly List<string> _args;
    private readonly bool _ascii;
    private readonly ShellView?[] _views = new ShellView?[3];
    private ShellView? _literal;

    public PolicyArgumentViews(IReadOnlyList<string> values)
    {
        _args = new List<string>(values);
        foreach (var v in values)
        {
            if (_args.Count >= ToolArguments.MaxStrings) break;
            foreach (var payload in ShellDeobfuscator.DecodeRuntimePayloads(v))
                if (_args.Count < ToolArguments.MaxStrings) _args.Add(payload);
        }
        _ascii = _args.TrueForAll(PolicyText.IsAscii);
    }

    public bool IsEmpty => _args.Count == 0;

    public ShellView Primary => View(ShellViewKind.Policy);

    public bool Matches(RuleRegex re, bool wholeOnly)
    {
        if (Matches(re, View(ShellViewKind.Policy), wholeOnly)) return true;
        if (!_ascii && (Matches(re, View(ShellViewKind.PolicyInvisibleAsSpace), wholeOnly) || Matches(re, View(ShellViewKind.Baseline), wholeOnly))) return true;
        // The literal reading adds nothing when de-obfuscation changed nothing (one plain argument).
        if (_args.Count == 1 && string.Equals(Literal().Joined, View(ShellViewKind.Policy).Joined, StringComparison.Ordinal)) return false;
        return Matches(re, Literal(), wholeOnly);
    }

    private ShellView View(ShellViewKind kind)
    {
        if (_ascii) kind = ShellViewKind.Policy;
        return _views[(int)kind] ??= ShellDeobfuscator.Tokenize(_args, kind);
    }

    private ShellView Literal()
    {
        if (_literal is not null) return _literal;
        var tokens = System.Collections.Immutable.ImmutableArray.CreateBuilder<string>();
        var origins = System.Collections.Immutable.ImmutableArray.CreateBuilder<int>();
        for (int i = 0; i < _args.Count && tokens.Count < ShellDeobfuscator.MaxTokens; i++)
        {
            tokens.Add(_args[i].Length > ShellDeobfuscator.MaxInputChars ? _args[i][..ShellDeobfuscator.MaxInputChars] : _args[i]);
            origins.Add(i);
        }
        var joined = string.Join(' ', tokens);
        if (joined.Length > ShellDeobfuscator.MaxInputChars) joined = joined[..ShellDeobfuscator.MaxInputChars];
        return _literal = new ShellView(tokens.ToImmutable(), origins.ToImmutable(), joined);
    }

    /// <summary>
    /// Joined text, then each token, then ordered pairs "A B" of tokens from different argument values (≤64 tokens).
    /// Pairs catch commands whose words were spread over several values of a JSON object, where key order is
    /// arbitrary; pairs inside one value add nothing the joined text lacks but noise, so they are not formed.
    /// </summary>
    private static bool Matches(RuleRegex re, ShellView v, bool wholeOnly)
    {
        if (re.IsMatch(v.Joined)) return true;
        if (wholeOnly) return false;
        var tokens = v.Tokens;
        if (tokens.Length <= 1) return false;
        foreach (var t in tokens)
            if (re.IsMatch(t)) return true;
        if (tokens.Length > MaxPairwiseTokens || v.Origins[0] == v.Origins[^1]) return false;
        for (int i = 0; i < tokens.Length; i++)
            for (int j = 0; j < tokens.Length; j++)
                if (v.Origins[i] != v.Origins[j] && re.IsMatch(string.Concat(tokens[i], " ", tokens[j]))) return true;
        return false;
    }
}
