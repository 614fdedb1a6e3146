namespace Sec0;

/// <summary>
/// Marks a method as a Sec0 hop. The Sec0 source generator intercepts every call of the method: the
/// call is checked against policy before it runs, traced, and recorded as a signed audit envelope.
/// </summary>
/// <remarks>
/// The hop key is <c>TypeName.MethodName</c> (nested types: <c>Outer.Inner.Method</c>) unless given
/// explicitly; it names the method's entry in <c>app.hops</c> of <c>sec0.config.yaml</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class Sec0HopAttribute : Attribute
{
    /// <summary>A hop keyed <c>TypeName.MethodName</c>.</summary>
    public Sec0HopAttribute()
    {
    }

    /// <summary>A hop with an explicit key.</summary>
    /// <param name="key">The key of the hop's entry in <c>app.hops</c>.</param>
    public Sec0HopAttribute(string key)
    {
        Key = key;
    }

    /// <summary>The explicit hop key, or null for <c>TypeName.MethodName</c>.</summary>
    public string? Key { get; }

    /// <summary>The hop type the config entry must have; <see cref="HopType.Unspecified"/> accepts any.</summary>
    public HopType Type { get; set; }
}
