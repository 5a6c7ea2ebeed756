using System.Text;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary>
/// Parameter-name expansion so name-based rules see words: <c>ssh_private_key</c>, <c>ssh-private-key</c>,
/// <c>sshPrivateKey</c> and <c>SSHPrivateKey</c> all become "ssh private key".
/// </summary>
public static class ParamNames
{
    public static string Expand(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c is '_' or '-' or '.' or ' ')
            {
                AppendSpace(sb);
                continue;
            }
            if (char.IsUpper(c) && i > 0)
            {
                char prev = name[i - 1];
                bool nextLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                // camelCase boundary (aB) or the end of an acronym (ABc: "SSHKey" → "ssh key").
                if (char.IsLower(prev) || char.IsDigit(prev) || (char.IsUpper(prev) && nextLower)) AppendSpace(sb);
            }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString().Trim();
    }

    private static void AppendSpace(StringBuilder sb)
    {
        if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
    }
}
