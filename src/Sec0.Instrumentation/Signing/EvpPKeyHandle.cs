using System.Runtime.InteropServices;

namespace Sec0.Signing;

/// <summary>Owns an OpenSSL <c>EVP_PKEY*</c>; freed with <c>EVP_PKEY_free</c>.</summary>
internal sealed class EvpPKeyHandle : SafeHandle
{
    /// <summary>Creates an empty handle; the marshaller sets the pointer.</summary>
    public EvpPKeyHandle()
        : base(0, ownsHandle: true)
    {
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        OpenSslEd25519.EVP_PKEY_free(handle);
        return true;
    }
}
