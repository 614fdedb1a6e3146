namespace Sec0.Gateway.Reviewing;

/// <summary>A signed-in reviewer: who, the reviewer token of the cookie, and the CSRF token its forms carry.</summary>
internal sealed record ReviewerSession(string User, string Token, string Csrf);
