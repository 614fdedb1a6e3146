using System.Reflection;
using System.Runtime.InteropServices;

namespace Sec0.Signing;

/// <summary>
/// The one <see cref="NativeLibrary.SetDllImportResolver"/> of this assembly (the runtime allows one per
/// assembly): maps the logical name <see cref="LibC"/> to the platform's C library, and finds OpenSSL 3's libcrypto for the
/// optional SHA-256 fast path (<see cref="Sec0.Audit.Sha256Digest"/>). Nothing needs libcrypto: Ed25519 goes through
/// libsodium (NSec), and without libcrypto hashes come from .NET. <c>SEC0_DISABLE_LIBCRYPTO=1</c> skips looking for it.
/// Any other P/Invoke in Sec0.Instrumentation that needs a custom name must be added here.
/// </summary>
internal static class NativeLibraryResolver
{
    /// <summary>The environment variable that turns the libcrypto fast path off (<c>1</c> or <c>true</c>).</summary>
    public const string DisableLibCryptoVariable = "SEC0_DISABLE_LIBCRYPTO";

    /// <summary>Logical name of the C library in <c>[LibraryImport]</c>.</summary>
    public const string LibC = "sec0-libc";

    private static readonly string[] LibCryptoCandidates = ["libcrypto.so.3", "libcrypto.so", "libcrypto.3.dylib", "libcrypto-3-x64.dll"];
    private static readonly string[] LibCCandidates = ["libc.so.6", "libc.so", "libSystem.B.dylib", "libc.dylib"];

    private static readonly Lazy<nint> LibCryptoHandle = new(() => IsDisabled(Environment.GetEnvironmentVariable(DisableLibCryptoVariable)) ? 0 : LoadFirst(LibCryptoCandidates));
    private static readonly Lazy<nint> LibCHandle = new(() => LoadFirst(LibCCandidates));

    private static readonly object RegistrationGate = new();
    private static bool registered;

    /// <summary>Registers the resolver once; safe to call from any thread, any number of times.</summary>
    public static void EnsureRegistered()
    {
        lock (RegistrationGate)
        {
            if (registered)
            {
                return;
            }

            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
            registered = true;
        }
    }

    /// <summary>True when libcrypto could be loaded (the load is attempted once).</summary>
    public static bool IsLibCryptoAvailable => LibCryptoHandle.Value != 0;

    /// <summary>
    /// The address of libcrypto's export <paramref name="name"/>, or false when libcrypto is missing or was
    /// built without it (for functions an OpenSSL build may leave out, such as deprecated ones).
    /// </summary>
    public static bool TryGetLibCryptoExport(string name, out nint address)
    {
        address = 0;
        return IsLibCryptoAvailable && NativeLibrary.TryGetExport(LibCryptoHandle.Value, name, out address);
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        LibC => LibCHandle.Value,
        // Zero lets the runtime's default probing handle every other name.
        _ => 0,
    };

    private static bool IsDisabled(string? value) => value?.Trim().ToLowerInvariant() is "1" or "true";

    private static nint LoadFirst(string[] candidates)
    {
        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out nint handle))
            {
                return handle;
            }
        }

        return 0;
    }
}
