using System.Collections.Immutable;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// A <c>redirect_profiles</c> entry (Pipelock v2.0): where a tool call goes instead of its server when a rule with
/// <c>action: redirect</c> names this profile. Pure data: the agent executes the handler (with a timeout, stdout
/// wrapped as a JSON-RPC success and response-scanned, non-zero exit or timeout ⇒ block); the scanner only carries it.
/// </summary>
/// <param name="Name">Profile key in <c>redirect_profiles</c>.</param>
/// <param name="Exec">Handler argv (program first).</param>
/// <param name="Reason">Shown to the agent/user when the call is redirected.</param>
/// <param name="PreserveArgv">Append the original tool arguments to the handler argv.</param>
/// <param name="MatchAbsPath">Only redirect when the handler resolves to an absolute path.</param>
public sealed record RedirectProfile(string Name, ImmutableArray<string> Exec, string Reason = "", bool PreserveArgv = false, bool MatchAbsPath = false);
