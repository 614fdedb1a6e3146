using System.CommandLine;
using Sec0.Signing;

namespace Sec0.Cli.Commands;

/// <summary>
/// <c>sec0 keygen [--alg ed25519|ecdsa-p256] [--out PATH]</c>: writes a new private key (mode 0600) through
/// <see cref="SigningKeyFile"/>, writes its public key beside it as <c>&lt;out&gt;.pub</c>, and prints the public
/// key and key id.
/// </summary>
internal static class KeygenCommand
{
    public const string Ed25519Name = "ed25519";
    public const string EcdsaP256Name = "ecdsa-p256";

    public static Command Create(CommandRunner runner)
    {
        Option<string> algorithm = new("--alg")
        {
            Description = "The key algorithm.",
            DefaultValueFactory = _ => Ed25519Name,
        };
        algorithm.AcceptOnlyFromAmong(Ed25519Name, EcdsaP256Name);

        Option<string?> output = new("--out")
        {
            Description = "Where to write the private key (default ./.sec0/keys/ed25519.key, or ./.sec0/keys/ecdsa-p256.pem). The public key goes to <out>.pub.",
            HelpName = "PATH",
        };

        Command command = new("keygen", "Generate a signing key for the audit log; prints its public key and key id.")
        {
            algorithm,
            output,
        };
        command.SetAction(parseResult => runner.Run(parseResult, "keygen", () =>
            Execute(runner.Context, parseResult.GetValue(algorithm)!, parseResult.GetValue(output))));
        return command;
    }

    public static string DefaultPath(string algorithmName)
        => Path.Combine(".", ".sec0", "keys", algorithmName == EcdsaP256Name ? "ecdsa-p256.pem" : "ed25519.key");

    private static int Execute(CliContext context, string algorithmName, string? outPath)
    {
        SigningAlgorithm algorithm = algorithmName == EcdsaP256Name ? SigningAlgorithm.EcdsaP256 : SigningAlgorithm.Ed25519;
        string keyPath = string.IsNullOrEmpty(outPath) ? DefaultPath(algorithmName) : outPath;
        string publicKeyPath = keyPath + ".pub";

        // Checked before the private key is written, so a refusal leaves nothing half-made behind. An existing
        // private key is reported by SigningKeyFile.Create itself, with the library's documented message.
        if (!Path.Exists(keyPath) && Path.Exists(publicKeyPath))
        {
            context.Error.WriteLine($"[sec0] Public key file already exists at: {Path.GetFullPath(publicKeyPath)}. Refusing to overwrite it; move it away or choose another --out.");
            return ExitCodes.Failure;
        }

        AuditSigner signer;
        try
        {
            signer = SigningKeyFile.Create(keyPath, algorithm);
        }
        catch (Sec0SignerException exception)
        {
            context.Error.WriteLine(exception.Message);
            return ExitCodes.Failure;
        }

        using (signer)
        {
            string publicKeyPem = signer.PublicKeyPem.TrimEnd() + "\n";
            // CreateNew: never overwrite a public key that appeared since the check above.
            using (StreamWriter writer = new(new FileStream(publicKeyPath, FileMode.CreateNew, FileAccess.Write)))
            {
                writer.Write(publicKeyPem);
            }

            TextWriter output = context.Out;
            output.WriteLine($"Wrote {signer.Algorithm} private key to {keyPath} (mode 0600).");
            output.WriteLine($"Wrote public key to {publicKeyPath}.");
            output.WriteLine($"Key id: {signer.KeyId}");
            output.WriteLine();
            output.Write(publicKeyPem);
            output.WriteLine();
            output.WriteLine("Sign with it: set controlPlane.localSignerPath in sec0.config.yaml to the private key.");
            output.WriteLine("Verify an audit log with:");
            output.WriteLine($"  sec0 verify <audit dir> --pub {publicKeyPath}");
        }

        return ExitCodes.Success;
    }
}
