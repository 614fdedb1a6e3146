using System.Security.Cryptography;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Support;

/// <summary>Fresh signing keys for tests.</summary>
public static class TestKeys
{
    public static AuditSigner NewSigner() => new Ed25519Signer(RandomNumberGenerator.GetBytes(32));

    public static AuditSigner NewEcdsaSigner() => new EcdsaP256Signer(ECDsa.Create(ECCurve.NamedCurves.nistP256));
}
