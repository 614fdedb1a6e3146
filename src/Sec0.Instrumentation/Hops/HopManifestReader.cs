using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Sec0.Hops;

/// <summary>
/// Reads the hop manifest (<see cref="Sec0HopManifestEntryAttribute"/> entries) of an assembly file with
/// System.Reflection.Metadata, so the assembly is never loaded or run: safe on untrusted builds and on
/// assemblies built for another runtime. Used by <c>sec0 hops</c>, the runtime and the SAST tooling.
/// </summary>
public static class HopManifestReader
{
    /// <summary>The <see cref="Sec0Exception.Code"/> of every error <see cref="Read"/> throws.</summary>
    public const string ErrorCode = "MANIFEST_UNREADABLE";

    private static readonly string s_attributeNamespace = typeof(Sec0HopManifestEntryAttribute).Namespace!;
    private const string AttributeName = nameof(Sec0HopManifestEntryAttribute);

    /// <summary>
    /// Returns the manifest entries of the assembly at <paramref name="assemblyPath"/> in declaration order;
    /// empty when the assembly has no manifest (it was not built with the Sec0 generator).
    /// </summary>
    /// <exception cref="Sec0Exception">The file is missing or unreadable, is not a .NET assembly, or holds a
    /// manifest attribute whose arguments do not have the expected shape. Code <see cref="ErrorCode"/>.</exception>
    public static IReadOnlyList<HopManifestEntry> Read(string assemblyPath)
    {
        ArgumentNullException.ThrowIfNull(assemblyPath);
        string fullPath = Path.GetFullPath(assemblyPath);
        if (!File.Exists(fullPath))
        {
            throw new Sec0Exception(ErrorCode, $"[sec0] No assembly at \"{fullPath}\".");
        }

        try
        {
            using FileStream stream = new(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
            using PEReader peReader = new(stream);
            if (!peReader.HasMetadata)
            {
                throw NotAnAssembly(fullPath, "it is a PE file without .NET metadata (a native binary?)");
            }

            MetadataReader metadata = peReader.GetMetadataReader();
            if (!metadata.IsAssembly)
            {
                throw NotAnAssembly(fullPath, "it is a .NET module without an assembly manifest");
            }

            return ReadEntries(metadata, fullPath);
        }
        catch (BadImageFormatException exception)
        {
            throw NotAnAssembly(fullPath, exception.Message, exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new Sec0Exception(ErrorCode, $"[sec0] Assembly \"{fullPath}\" could not be read: {exception.Message}", exception);
        }
    }

    private static List<HopManifestEntry> ReadEntries(MetadataReader metadata, string fullPath)
    {
        List<HopManifestEntry> entries = new();
        foreach (CustomAttributeHandle handle in metadata.GetAssemblyDefinition().GetCustomAttributes())
        {
            CustomAttribute attribute = metadata.GetCustomAttribute(handle);
            if (!IsManifestAttribute(metadata, attribute))
            {
                continue;
            }

            CustomAttributeValue<string> value = attribute.DecodeValue(HopManifestAttributeTypeProvider.Instance);
            entries.Add(ToEntry(value.FixedArguments, fullPath));
        }

        return entries;
    }

    // Matched by name, not by assembly identity, so a manifest built against any Sec0 version is read.
    private static bool IsManifestAttribute(MetadataReader metadata, CustomAttribute attribute)
    {
        StringHandle name;
        StringHandle ns;
        switch (attribute.Constructor.Kind)
        {
            case HandleKind.MemberReference:
                EntityHandle parent = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
                if (parent.Kind != HandleKind.TypeReference)
                {
                    return false;
                }

                TypeReference reference = metadata.GetTypeReference((TypeReferenceHandle)parent);
                (name, ns) = (reference.Name, reference.Namespace);
                break;
            case HandleKind.MethodDefinition:
                TypeDefinition definition = metadata.GetTypeDefinition(
                    metadata.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType());
                (name, ns) = (definition.Name, definition.Namespace);
                break;
            default:
                return false;
        }

        return metadata.StringComparer.Equals(name, AttributeName) && metadata.StringComparer.Equals(ns, s_attributeNamespace);
    }

    private static HopManifestEntry ToEntry(ImmutableArray<CustomAttributeTypedArgument<string>> arguments, string fullPath)
    {
        // The shape of Sec0HopManifestEntryAttribute's constructor: kind, key, bodyHash, filePath (strings),
        // startLine, endLine (int32), signature (string), expectedType (HopType, int32-backed).
        if (arguments.Length != 8
            || arguments[4].Value is not int startLine
            || arguments[5].Value is not int endLine
            || arguments[7].Value is not int expectedType
            || !IsStringOrNull(arguments, 0, 1, 2, 3, 6))
        {
            throw new Sec0Exception(ErrorCode, $"[sec0] Assembly \"{fullPath}\" has a {AttributeName} with unexpected arguments; it was built with an incompatible Sec0 version.");
        }

        return new HopManifestEntry(
            Kind: (string?)arguments[0].Value ?? "",
            Key: (string?)arguments[1].Value ?? "",
            BodyHash: (string?)arguments[2].Value ?? "",
            FilePath: (string?)arguments[3].Value ?? "",
            StartLine: startLine,
            EndLine: endLine,
            Signature: (string?)arguments[6].Value ?? "",
            ExpectedType: (HopType)expectedType);
    }

    private static bool IsStringOrNull(ImmutableArray<CustomAttributeTypedArgument<string>> arguments, params ReadOnlySpan<int> indexes)
    {
        foreach (int index in indexes)
        {
            if (arguments[index].Value is not (null or string))
            {
                return false;
            }
        }

        return true;
    }

    private static Sec0Exception NotAnAssembly(string fullPath, string reason, Exception? inner = null)
        => new(ErrorCode, $"[sec0] \"{fullPath}\" is not a .NET assembly: {reason.TrimEnd('.')}.", inner);
}
