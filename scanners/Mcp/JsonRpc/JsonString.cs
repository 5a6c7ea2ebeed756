namespace Pipelock.Scanners.Mcp.JsonRpc;

/// <summary>A string found in a JSON tree: its value, where it sits, and whether it was an object key.</summary>
/// <param name="Path">Dotted path with array indexes, e.g. <c>params.arguments.files[2]</c>; a key's path is the object's path plus the key.</param>
public readonly record struct JsonString(string Path, string Value, bool IsKey);
