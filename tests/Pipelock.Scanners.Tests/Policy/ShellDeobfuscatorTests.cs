using System.IO.Compression;
using System.Text;
using Pipelock.Scanners.Policy;

namespace Pipelock.Scanners.Tests.Policy;

public sealed class ShellDeobfuscatorTests
{
    private static string Collapse(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData(@"r\m -rf /tmp", "rm -rf /tmp")]                         // backslash before a word character
    [InlineData("rm${IFS}-rf${IFS}/tmp", "rm -rf /tmp")]                 // ${IFS}
    [InlineData("rm$IFS-rf /tmp", "rm -rf /tmp")]                        // $IFS
    [InlineData("rm${IFS%%?}-rf /tmp", "rm -rf /tmp")]                   // ${IFS<op>}
    [InlineData(@"r$'\x6d' -rf /tmp", "rm -rf /tmp")]                    // ANSI-C hex
    [InlineData(@"r$'\155' -rf /tmp", "rm -rf /tmp")]                    // ANSI-C octal
    [InlineData(@"r\x6d -rf /tmp", "rm -rf /tmp")]                       // bare hex escape
    [InlineData("`echo rm` -rf /tmp", "rm -rf /tmp")]                    // backtick substitution
    [InlineData("$(printf rm) -rf /tmp", "rm -rf /tmp")]                 // $(printf X)
    [InlineData("$(printf '%s' rm) -rf /tmp", "rm -rf /tmp")]            // $(printf fmt X)
    [InlineData("$(echo 'rm -rf') /tmp", "rm -rf /tmp")]                 // quoted literal with a space
    [InlineData("r'm' -r\"f\" /tmp", "rm -rf /tmp")]                     // quotes
    [InlineData("r$@m -rf /tmp", "rm -rf /tmp")]                         // $@
    [InlineData("r${*}m -rf /tmp", "rm -rf /tmp")]                       // ${*}
    [InlineData("r${@,,}m -rf /tmp", "rm -rf /tmp")]                     // positional with a modifier (Bashfuscator)
    [InlineData("x=rm;$x -rf /tmp", "x=rm;rm -rf /tmp")]                 // assignment
    [InlineData("x=rm;y=x;${!y} -rf /tmp", "x=rm;y=x;rm -rf /tmp")]      // indirection
    [InlineData("x='RM -RF /tmp';${x,,}", "x=RM -RF /tmp;rm -rf /tmp")]  // case modifier on a quoted value
    [InlineData("x='rM -Rf /tmp';${x~~}", "x=rM -Rf /tmp;Rm -rF /TMP")]  // case swap
    [InlineData("cat ${HOME:0:1}etc${HOME:0:1}shadow", "cat /etc/shadow")]
    [InlineData("cat ${PWD::1}etc${OLDPWD::1}shadow", "cat /etc/shadow")]
    [InlineData("{rm,-rf,/tmp}", "rm -rf /tmp")]                         // brace expansion
    [InlineData("cat /etc/{passwd,shadow}", "cat /etc/passwd /etc/shadow")]
    [InlineData("cat /etc//./shadow", "cat /etc/shadow")]                // path separator runs
    [InlineData("curl http://example.org//x", "curl http://example.org/x")]
    public void Deobfuscate_Technique_RevealsCommand(string input, string expected) =>
        Assert.Equal(expected, Collapse(ShellDeobfuscator.Deobfuscate(input)));

    [Theory]
    [InlineData("r\u200Bm -rf /tmp", ShellViewKind.Policy, "rm -rf /tmp")]                  // zero-width inside a word
    [InlineData("rm\u200B-rf /tmp", ShellViewKind.PolicyInvisibleAsSpace, "rm -rf /tmp")]   // zero-width as a separator
    [InlineData("c\u0443rl -d @x http://e", ShellViewKind.Policy, "curl -d @x http://e")]    // Cyrillic у as u
    [InlineData("\u0432ash -i", ShellViewKind.Policy, "bash -i")]                            // Cyrillic в as b
    [InlineData("\u043Dc -e /bin/sh", ShellViewKind.Policy, "nc -e /bin/sh")]                // Cyrillic н as n
    [InlineData("\u0412ASH -i", ShellViewKind.Policy, "BASH -i")]                            // upper-case В as B
    [InlineData("m\u0432 a b", ShellViewKind.Baseline, "mv a b")]                           // shared map: в as v
    [InlineData("\uFF52\uFF4D -rf /tmp", ShellViewKind.Policy, "rm -rf /tmp")]              // fullwidth (NFKC)
    public void Deobfuscate_UnicodeView_FoldsForCommands(string input, ShellViewKind kind, string expected) =>
        Assert.Equal(expected, Collapse(ShellDeobfuscator.Deobfuscate(input, kind)));

    [Fact]
    public void Deobfuscate_BaselineView_KeepsSharedConfusables()
    {
        // The baseline view does not apply у→u: it exists for letters the two maps disagree on.
        Assert.DoesNotContain("curl", ShellDeobfuscator.Deobfuscate("c\u0443rl", ShellViewKind.Baseline));
    }

    [Fact]
    public void DecodeRuntimePayloads_RevOfLiteral_RestoresCommand()
    {
        var payloads = ShellDeobfuscator.DecodeRuntimePayloads("printf %s 'pmt/ fr- mr' | rev | bash");
        Assert.Contains(payloads, p => p.Contains("rm -rf /tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void DecodeRuntimePayloads_Base64Literal_Decodes()
    {
        var b64 = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("cat /etc/shadow"));
        var payloads = ShellDeobfuscator.DecodeRuntimePayloads($"printf \"{b64}\" | base64 -d | bash");
        Assert.Contains("cat /etc/shadow", payloads);
    }

    [Fact]
    public void DecodeRuntimePayloads_GzipBase64Literal_Decompresses()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(System.Text.Encoding.UTF8.GetBytes("setenforce 0"));
        var b64 = Convert.ToBase64String(ms.ToArray());
        var payloads = ShellDeobfuscator.DecodeRuntimePayloads($"printf '{b64}' | base64 -d | gunzip -c | bash");
        Assert.Contains("setenforce 0", payloads);
    }

    [Fact]
    public void DecodeRuntimePayloads_BinaryBase64_IsIgnored()
    {
        var b64 = Convert.ToBase64String(Enumerable.Range(0, 48).Select(i => (byte)(i * 37 % 256)).ToArray());
        Assert.Empty(ShellDeobfuscator.DecodeRuntimePayloads("echo " + b64));
    }

    [Fact]
    public void DecodeRuntimePayloads_NestedEncodings_StopAtDepthAndCount()
    {
        // 40 distinct base64 literals: only MaxDecodedPayloads are kept.
        var sb = new StringBuilder("echo");
        for (int i = 0; i < 40; i++) sb.Append(' ').Append(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"payload number {i:D3}")));
        Assert.Equal(ShellDeobfuscator.MaxDecodedPayloads, ShellDeobfuscator.DecodeRuntimePayloads(sb.ToString()).Count);
    }

    [Fact]
    public void Tokenize_RecordsArgumentOrigins()
    {
        var view = ShellDeobfuscator.Tokenize(["rm -rf", "/tmp"], ShellViewKind.Policy);
        Assert.Equal(["rm", "-rf", "/tmp"], view.Tokens.ToArray());
        Assert.Equal([0, 0, 1], view.Origins.ToArray());
        Assert.Equal("rm -rf /tmp", view.Joined);
    }

    [Theory]
    [InlineData("x=$x$x$x$x;")]        // self-referencing growth
    [InlineData("{a,b}")]              // brace growth
    [InlineData("$(printf $(printf ")] // unbalanced substitution
    [InlineData("\\")]                 // dangling escape
    public void Deobfuscate_PathologicalMegabyte_Finishes(string unit)
    {
        var sb = new StringBuilder();
        while (sb.Length < 1 << 20) sb.Append(unit);
        var result = ShellDeobfuscator.Deobfuscate(sb.ToString());
        // Growth is capped: output stays within the input cap plus the expansion budget.
        Assert.True(result.Length <= 3 * ShellDeobfuscator.MaxInputChars);
    }
}
