namespace Sec0.Gateway.Reviewing;

/// <summary>Where the reviewer page is served and what it accepts.</summary>
public sealed class ReviewerPageOptions
{
    /// <summary>The path the page is served under; default <c>/reviewer</c>.</summary>
    public string Path { get; set; } = "/reviewer";

    /// <summary>The name of the sign-in cookie (HttpOnly, SameSite=Strict, scoped to <see cref="Path"/>).</summary>
    public string CookieName { get; set; } = "sec0_reviewer";

    /// <summary>The largest form body the page reads, in bytes; larger ones are answered 413. Default 16 KiB.</summary>
    public int MaxFormBytes { get; set; } = 16 * 1024;

    /// <summary>The longest vote note, in characters; default 2,000.</summary>
    public int MaxNoteLength { get; set; } = 2000;

    /// <summary>How many escalations the list shows at most; default 200, newest first.</summary>
    public int MaxListed { get; set; } = 200;
}
