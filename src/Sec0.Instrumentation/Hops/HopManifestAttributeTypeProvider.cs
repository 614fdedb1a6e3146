using System.Reflection.Metadata;

namespace Sec0.Hops;

/// <summary>
/// The smallest type provider that lets System.Reflection.Metadata decode a manifest attribute's blob.
/// Types are represented by their full names; the only enum the manifest attribute takes is
/// <see cref="HopType"/>, which is int32-backed, so every enum is decoded as int32.
/// </summary>
internal sealed class HopManifestAttributeTypeProvider : ICustomAttributeTypeProvider<string>
{
    private const string SystemTypeName = "System.Type";

    public static HopManifestAttributeTypeProvider Instance { get; } = new();

    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

    public string GetSystemType() => SystemTypeName;

    public string GetSZArrayType(string elementType) => elementType + "[]";

    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        TypeDefinition definition = reader.GetTypeDefinition(handle);
        return Join(reader.GetString(definition.Namespace), reader.GetString(definition.Name));
    }

    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        TypeReference reference = reader.GetTypeReference(handle);
        return Join(reader.GetString(reference.Namespace), reader.GetString(reference.Name));
    }

    public string GetTypeFromSerializedName(string name) => name;

    // Enums declared outside the decoded assembly carry no underlying type in the blob; HopType is int32.
    public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;

    public bool IsSystemType(string type) => type == SystemTypeName;

    private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;
}
