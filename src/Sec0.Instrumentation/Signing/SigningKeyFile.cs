using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Sec0.Signing;

/// <summary>
/// Creates new signing key files (used by <c>sec0 keygen</c> and the quickstart). Files are mode 0600 from
/// the moment they exist, and an existing file is never overwritten.
/// </summary>
public static class SigningKeyFile
{
    /// <summary>
    /// Writes a new key file at <paramref name="path"/> and returns its signer. Ed25519 keys are written as
    /// base64 of a random 32-byte seed (the format of Sec0's <c>openssl rand -base64 32</c> key files); ECDSA
    /// P-256 keys as PKCS#8 PEM. Missing parent directories are created with mode 0700.
    /// </summary>
    /// <exception cref="Sec0SignerException">A file already exists at <paramref name="path"/>, or Ed25519 is
    /// asked for and libcrypto cannot be loaded.</exception>
    public static AuditSigner Create(string path, SigningAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath = Path.GetFullPath(path);
        if (Path.Exists(fullPath))
        {
            throw SignerMessages.KeyFileExists(fullPath);
        }

        string? directory = Path.GetDirectoryName(fullPath);
        if (directory is not null)
        {
            CreateOwnerOnlyDirectories(directory);
        }

        return algorithm switch
        {
            SigningAlgorithm.Ed25519 => CreateEd25519(fullPath),
            SigningAlgorithm.EcdsaP256 => CreateEcdsaP256(fullPath),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown signing algorithm."),
        };
    }

    // Directory.CreateDirectory(path, mode) applies the mode to the last directory only; create each missing
    // one so every directory this method makes is 0700.
    private static void CreateOwnerOnlyDirectories(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Stack<string> missing = new();
        for (string? current = directory; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        while (missing.TryPop(out string? next))
        {
            Directory.CreateDirectory(next, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static Ed25519Signer CreateEd25519(string fullPath)
    {
        Span<byte> seed = stackalloc byte[Ed25519Keys.KeySize];
        Span<byte> line = stackalloc byte[45];
        try
        {
            RandomNumberGenerator.Fill(seed);
            // The signer first: if libcrypto is missing, no key file is left behind.
            Ed25519Signer signer = new(seed);
            try
            {
                Base64.EncodeToUtf8(seed, line, out _, out int written);
                line[written] = (byte)'\n';
                WriteNewFile(fullPath, line[..(written + 1)]);
                return signer;
            }
            catch
            {
                signer.Dispose();
                throw;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(line);
        }
    }

    private static EcdsaP256Signer CreateEcdsaP256(string fullPath)
    {
        ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] der = [];
        char[] pem = [];
        byte[] bytes = [];
        try
        {
            der = key.ExportPkcs8PrivateKey();
            pem = PemEncoding.Write("PRIVATE KEY", der);
            bytes = new byte[pem.Length + 1];
            Encoding.ASCII.GetBytes(pem, bytes);
            bytes[^1] = (byte)'\n';
            WriteNewFile(fullPath, bytes);
            return new EcdsaP256Signer(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
            CryptographicOperations.ZeroMemory(bytes);
            Array.Clear(pem);
        }
    }

    private static void WriteNewFile(string fullPath, ReadOnlySpan<byte> content)
    {
        FileStreamOptions options = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Set at creation, so the key is never briefly readable by others.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(fullPath, options);
        }
        catch (IOException) when (Path.Exists(fullPath))
        {
            // Lost a race with another writer: still never overwrite.
            throw SignerMessages.KeyFileExists(fullPath);
        }

        try
        {
            using (stream)
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
        }
        catch
        {
            File.Delete(fullPath);
            throw;
        }
    }
}
