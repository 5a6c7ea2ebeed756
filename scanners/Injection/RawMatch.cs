namespace Pipelock.Scanners.Injection;

/// <summary>One regex hit inside a pass: pattern name, excerpt (already cut to 100 chars), position in the pass text (-1 for decoded layers), pass label.</summary>
internal readonly record struct RawMatch(string Name, string Evidence, int Position, string? Encoding);
