// Records and init accessors in a netstandard2.0 assembly need this type; the compiler only looks it up by name.
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
