namespace Sec0.Instrumentation.Tests.Scanning;

/// <summary>
/// Nuclei v3 <c>-jsonl</c> result lines, written by hand after Nuclei's output schema (output.ResultEvent:
/// template, template-id, template-path, info{name, author, tags, description, severity, classification
/// {cve-id, cwe-id, cvss-score}}, type, host, matched-at, extracted-results, request, ip, timestamp,
/// matcher-status).
/// </summary>
public static class NucleiSamples
{
    public const string SqlInjection = """{"template":"dast/vulnerabilities/sqli/sqli-error-based.yaml","template-url":"https://cloud.projectdiscovery.io/public/sqli-error-based","template-id":"sqli-error-based","template-path":"/opt/nuclei-templates/dast/vulnerabilities/sqli/sqli-error-based.yaml","info":{"name":"SQLi - Error Based","author":["geeknik","pdteam"],"tags":["sqli","error","dast","vuln","owasp-a03","nist-si-10"],"description":"Detects error-based SQL injection vulnerabilities.","severity":"critical","classification":{"cve-id":null,"cwe-id":["cwe-89"]}},"type":"http","host":"http://127.0.0.1:8080","port":"8080","scheme":"http","url":"http://127.0.0.1:8080/api/orders?id=1","matched-at":"http://127.0.0.1:8080/api/orders?id=1'","extracted-results":["You have an error in your SQL syntax"],"request":"GET /api/orders?id=1' HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n","ip":"127.0.0.1","timestamp":"2025-03-04T10:21:33.412345678Z","curl-command":"curl -X 'GET' 'http://127.0.0.1:8080/api/orders?id=1%27'","matcher-status":true,"fuzzing_parameter":"id","fuzzing_method":"GET"}""";

    public const string MissingHeader = """{"template":"http/misconfiguration/http-missing-security-headers.yaml","template-id":"http-missing-security-headers","template-path":"/opt/nuclei-templates/http/misconfiguration/http-missing-security-headers.yaml","info":{"name":"HTTP Missing Security Headers","author":["socketz","geeknik"],"tags":["misconfig","headers","generic"],"description":"This template searches for missing HTTP security headers.","severity":"info","metadata":{"max-request":1}},"matcher-name":"strict-transport-security","type":"http","host":"http://127.0.0.1:8080","matched-at":"http://127.0.0.1:8080/","request":"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n","ip":"127.0.0.1","timestamp":"2025-03-04T10:21:31.001Z","matcher-status":true}""";
}
