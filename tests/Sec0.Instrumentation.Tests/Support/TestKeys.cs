using System.Security.Cryptography;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Support;

/// <summary>Signing keys for tests.</summary>
public static class TestKeys
{
    public static AuditSigner NewSigner() => new TempEcdsaSigner(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    private sealed class TempEcdsaSigner(ECDsa key) : AuditSigner
    {
        private readonly byte[] _spki = key.ExportSubjectPublicKeyInfo();

        public override string Algorithm => "ecdsa-p256";

        public override string KeyId => "ecdsa-p256:" + Convert.ToHexStringLower(SHA256.HashData(_spki));

        public override ReadOnlyMemory<byte> PublicKey => _spki;

        public override string PublicKeyPem => PemEncoding.WriteString("PUBLIC KEY", _spki);

        public override int SignatureSize => 64;

        public override int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
            => key.SignData(data, destination, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        public override SignatureVerifier CreateVerifier() => new Verifier(key, KeyId);

        private sealed class Verifier(ECDsa key, string keyId) : SignatureVerifier
        {
            public override string Algorithm => "ecdsa-p256";

            public override string KeyId => keyId;

            public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
                => key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }
}
