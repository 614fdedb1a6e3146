namespace Sec0.Instrumentation.Tests.Scanning;

/// <summary>
/// Semgrep 1.x <c>--json</c> output, written by hand after Semgrep's documented output schema
/// (semgrep-interfaces: CliOutput with results[], errors[], paths, version): one ERROR finding inside
/// the handler (lines 12-16 of Pay.cs), one WARNING finding outside it.
/// </summary>
public static class SemgrepSamples
{
    public const string TwoFindings = """
        {
          "version": "1.97.0",
          "results": [
            {
              "check_id": "csharp.lang.security.sqli.csharp-sqli.csharp-sqli",
              "path": "Pay.cs",
              "start": { "line": 14, "col": 13, "offset": 402 },
              "end": { "line": 14, "col": 78, "offset": 467 },
              "extra": {
                "message": "Detected a formatted string in a SQL statement. This could lead to SQL injection if variables in the SQL statement are not properly sanitized. Use a prepared statements instead.",
                "metadata": {
                  "cwe": ["CWE-89: Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')"],
                  "owasp": ["A01:2017 - Injection", "A03:2021 - Injection"],
                  "category": "security",
                  "technology": [".net"],
                  "confidence": "MEDIUM",
                  "likelihood": "MEDIUM",
                  "impact": "HIGH",
                  "subcategory": ["vuln"],
                  "source": "https://semgrep.dev/r/csharp.lang.security.sqli.csharp-sqli.csharp-sqli"
                },
                "severity": "ERROR",
                "fingerprint": "requires login",
                "lines": "requires login",
                "validation_state": "NO_VALIDATOR",
                "engine_kind": "OSS"
              }
            },
            {
              "check_id": "csharp.lang.security.cryptography.use_weak_rng_for_keygeneration",
              "path": "Pay.cs",
              "start": { "line": 31, "col": 9, "offset": 901 },
              "end": { "line": 31, "col": 40, "offset": 932 },
              "extra": {
                "message": "You are using an insecure random number generator (RNG) to create a cryptographic key.",
                "metadata": { "cwe": ["CWE-338: Use of Cryptographically Weak Pseudo-Random Number Generator (PRNG)"], "owasp": ["A02:2021 - Cryptographic Failures"], "category": "security" },
                "severity": "WARNING",
                "fingerprint": "requires login",
                "lines": "requires login",
                "engine_kind": "OSS"
              }
            }
          ],
          "errors": [],
          "paths": { "scanned": ["Pay.cs"] },
          "interfile_languages_used": [],
          "skipped_rules": []
        }
        """;
}
