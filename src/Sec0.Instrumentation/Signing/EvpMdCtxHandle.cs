using System.Runtime.InteropServices;

namespace Sec0.Signing;

/// <summary>Owns an OpenSSL <c>EVP_MD_CTX*</c>; freed with <c>EVP_MD_CTX_free</c>.</summary>
internal sealed class EvpMdCtxHandle : SafeHandle
{
    /// <summary>Creates an empty handle; the marshaller sets the pointer.</summary>
    public EvpMdCtxHandle()
        : base(0, ownsHandle: true)
    {
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        OpenSslEd25519.EVP_MD_CTX_free(handle);
        return true;
    }
}
