using System.Security;
using System.Text;

namespace Sec0.Config.Yaml;

/// <summary>
/// Reads a YAML file as strict UTF-8 text with a size limit, turning every I/O failure into the
/// caller's own exception. Shared by the config and policy loaders.
/// </summary>
internal static class YamlTextFile
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the file at <paramref name="fullPath"/>.</summary>
    /// <param name="fullPath">The absolute path.</param>
    /// <param name="maxBytes">Files larger than this are rejected rather than read into memory.</param>
    /// <param name="notFound">Makes the exception for a missing file.</param>
    /// <param name="invalid">Makes the exception for any other failure, from a detail text and the cause.</param>
    public static string Read(string fullPath, int maxBytes, Func<Exception> notFound, Func<string, Exception?, Exception> invalid)
    {
        if (Directory.Exists(fullPath))
        {
            throw invalid("the path is a folder, not a file", null);
        }

        if (!File.Exists(fullPath))
        {
            throw notFound();
        }

        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > maxBytes)
            {
                throw invalid($"the file is larger than {maxBytes} bytes", null);
            }

            using var reader = new StreamReader(stream, s_strictUtf8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted between the check and the read.
            throw notFound();
        }
        catch (DecoderFallbackException ex)
        {
            throw invalid("the file is not valid UTF-8 text", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw invalid(ex.Message, ex);
        }
    }
}
