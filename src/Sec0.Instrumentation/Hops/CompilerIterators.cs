using System.Runtime.CompilerServices;

namespace Sec0.Hops;

/// <summary>
/// Recognises the objects the C# compiler makes for iterator methods (<c>yield return</c>): a method that
/// returns one has not run its body yet; it runs at the first <c>MoveNext</c>. Decided at run time, from the
/// object, because which body runs (an override, an interface implementation) is known only then.
/// </summary>
internal static class CompilerIterators
{
    private static readonly ConditionalWeakTable<Type, StrongBox<bool>> s_byType = new();

    public static bool IsIterator(object value)
    {
        var type = value.GetType();
        if (s_byType.TryGetValue(type, out var known))
        {
            return known.Value;
        }

        // The compiler's iterator classes: nested, [CompilerGenerated], named <Method>d__N.
        var isIterator = type.IsNested && type.Name.StartsWith('<') && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);
        return s_byType.GetValue(type, _ => new StrongBox<bool>(isIterator)).Value;
    }
}
