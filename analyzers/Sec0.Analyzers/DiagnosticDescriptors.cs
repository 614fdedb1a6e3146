using Microsoft.CodeAnalysis;

namespace Sec0.Analyzers;

/// <summary>Every diagnostic the Sec0 analyzers report. Each rule has a page under docs/rules.</summary>
internal static class DiagnosticDescriptors
{
    /// <summary>Where docs/rules/SEC0xxx.md is published; one place to change when the repository moves.</summary>
    public const string HelpLinkBase = "https://github.com/sec0/sec0-dotnet/blob/main/docs/rules/";

    public const string ConfigCategory = "Sec0.Config";
    public const string InterceptionCategory = "Sec0.Interception";

    // Diagnostics that need the whole compilation (all hops, all call sites) come from a compilation end
    // action; the tag tells the IDE they appear only in full builds or full solution analysis.
    private static readonly string[] s_compilationEnd = { WellKnownDiagnosticTags.CompilationEnd };

    public static readonly DiagnosticDescriptor Scorecard = new(
        "SEC0000",
        "Sec0 interception scorecard",
        "Sec0 intercepted {0} of {1} hop call sites",
        InterceptionCategory,
        DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: "How many calls of [Sec0Hop] methods in this project the generator intercepts. Raise the severity to see it in the build output.",
        helpLinkUri: HelpLinkBase + "SEC0000.md",
        customTags: s_compilationEnd);

    public static readonly DiagnosticDescriptor MissingHopEntry = new(
        "SEC0001",
        "A [Sec0Hop] method has no app.hops entry",
        "[sec0] No hop configuration found for \"{0}\". Define app.hops[\"{0}\"] in your config file ({1}).",
        ConfigCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Every call of this hop fails at run time until sec0.config.yaml has an app.hops entry for its key.",
        helpLinkUri: HelpLinkBase + "SEC0001.md");

    public static readonly DiagnosticDescriptor StaleHopEntry = new(
        "SEC0002",
        "An app.hops entry matches no hop",
        "app.hops entry \"{0}\" matches no [Sec0Hop] method in this project or its references",
        ConfigCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The entry is never used: the hop was renamed or removed, or its key is misspelled.",
        helpLinkUri: HelpLinkBase + "SEC0002.md",
        customTags: s_compilationEnd);

    // The runtime's documented text, word for word (users search for it), including its final period.
#pragma warning disable RS1032 // single sentence with a trailing period
    public static readonly DiagnosticDescriptor HopTypeMismatch = new(
        "SEC0003",
        "The hop type in [Sec0Hop] differs from the config",
        "[sec0] Hop \"{0}\" is configured as \"{1}\" but the decorator expects \"{2}\".",
        ConfigCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The runtime refuses a hop whose app.hops type differs from the Type stated in its attribute.",
        helpLinkUri: HelpLinkBase + "SEC0003.md");
#pragma warning restore RS1032

    public static readonly DiagnosticDescriptor InvalidHopEntry = new(
        "SEC0004",
        "A hop entry lacks a field its type requires",
        "{0}",
        ConfigCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The runtime loader rejects sec0.config.yaml when a hop entry has no type, an unknown type, or lacks a field its type requires.",
        helpLinkUri: HelpLinkBase + "SEC0004.md");

    public static readonly DiagnosticDescriptor InvalidEnvironment = new(
        "SEC0005",
        "app.environment is missing or not dev, staging or prod",
        "{0}",
        ConfigCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The runtime loader rejects sec0.config.yaml without app.environment set to dev, staging or prod.",
        helpLinkUri: HelpLinkBase + "SEC0005.md");

    public static readonly DiagnosticDescriptor ConfigFileMissing = new(
        "SEC0006",
        "sec0.config.yaml is not among AdditionalFiles",
        "The project declares Sec0 hops but no sec0.config.yaml is among its AdditionalFiles, so the hops cannot be checked",
        ConfigCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Add <AdditionalFiles Include=\"sec0.config.yaml\" /> to the project (the Sec0.Instrumentation package does this for a sec0.config.yaml beside the project file).",
        helpLinkUri: HelpLinkBase + "SEC0006.md",
        customTags: s_compilationEnd);

    public static readonly DiagnosticDescriptor InvalidYaml = new(
        "SEC0007",
        "sec0.config.yaml is not valid YAML",
        "{0}",
        ConfigCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The runtime cannot load a config file that is not valid YAML; no other config rule can be checked until it parses.",
        helpLinkUri: HelpLinkBase + "SEC0007.md");

    public static readonly DiagnosticDescriptor CallNotIntercepted = new(
        "SEC0101",
        "A hop call will not be intercepted",
        "This use of hop \"{0}\" is not intercepted, so only the hop's HopGuard.Enter() can check it: {1}",
        InterceptionCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The generator intercepts calls it can see, also through interface and virtual dispatch. Calls through a delegate, inside an expression tree, or through base. reach the method without a decision by an interceptor: only the hop's HopGuard.Enter() (SEC0103) can decide and audit them; a hop without it runs them with no policy check, trace or audit envelope.",
        helpLinkUri: HelpLinkBase + "SEC0101.md");

    public static readonly DiagnosticDescriptor UnsupportedHopShape = new(
        "SEC0102",
        "[Sec0Hop] on a method that cannot be intercepted",
        "Calls of \"{0}\" cannot be intercepted: {1}",
        InterceptionCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The attribute has no effect on this method: the generator leaves every call of it alone.",
        helpLinkUri: HelpLinkBase + "SEC0102.md");

    public static readonly DiagnosticDescriptor MissingHopGuard = new(
        "SEC0103",
        "A hop body does not start with HopGuard.Enter()",
        "The body of hop \"{0}\" does not start with HopGuard.Enter(): a call that reaches it without its interceptor (reflection, dynamic, a delegate, another assembly) runs with no Sec0 check or audit",
        InterceptionCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The generator binds HopGuard.Enter() to the hop whose body it starts. A call its interceptor decided passes through; any other call is decided and audited there (reason unintercepted_call), or denied when enforcement.deny_on lists unintercepted_call.",
        helpLinkUri: HelpLinkBase + "SEC0103.md");

    public static readonly DiagnosticDescriptor UnboundHopGuard = new(
        "SEC0104",
        "HopGuard.Enter() is not bound to a hop",
        "HopGuard.Enter() always throws here: {0}",
        InterceptionCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator binds HopGuard.Enter() only in the body of a [Sec0Hop] method or of a method that overrides or implements one; anywhere else the call fails closed at run time.",
        helpLinkUri: HelpLinkBase + "SEC0104.md");
}
