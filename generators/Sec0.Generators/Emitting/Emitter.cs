using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Sec0.Generators.Model;

namespace Sec0.Generators.Emitting;

/// <summary>Turns models into C# source. Output is deterministic: inputs arrive sorted.</summary>
internal static class Emitter
{
    /// <summary>The head of the partial class <c>HopDescriptors</c> (its documentation and attributes).</summary>
    public const string DescriptorsHintName = "Sec0.HopDescriptors.g.cs";

    /// <summary>The descriptors of the hops declared in referenced assemblies that this assembly calls.</summary>
    public const string ExternalDescriptorsHintName = "Sec0.HopDescriptors.External.g.cs";

    private const string HopRuntime = "global::Sec0.Hops.HopRuntime";
    private const string Descriptors = "global::Sec0.Generated.HopDescriptors.";
    private const string Exception = "global::System.Exception";

    private static readonly string s_generatedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"Sec0.Generators\", " + Literal(GeneratorVersion.Current) + ")]";

    // From the runtime's HopType (linked into this project): the members generated code may name.
    private static readonly Dictionary<int, string> s_hopTypes = HopTypeExpressions();

    /// <summary>
    /// The declaration of <c>HopDescriptors</c> that carries its documentation and <c>[GeneratedCode]</c>
    /// (attributes that may be applied once); its fields are in the other parts.
    /// </summary>
    public static string EmitDescriptorClass()
    {
        var writer = new SourceWriter();
        WriteHeader(writer);
        writer.WriteLine("namespace Sec0.Generated");
        writer.OpenBlock();
        writer.WriteLine("/// <summary>The compile-time descriptors of the hops this assembly calls (one part per file that declares hops).</summary>");
        writer.WriteLine(s_generatedCode);
        writer.WriteLine("internal static partial class HopDescriptors");
        writer.OpenBlock();
        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToString();
    }

    /// <summary>
    /// The manifest entries of one declaring file, and its hops' descriptors (one static field each) as a
    /// part of the partial class <c>HopDescriptors</c>.
    /// </summary>
    public static string EmitDescriptors(DescriptorFileModel model)
    {
        var writer = new SourceWriter();
        WriteHeader(writer);
        foreach (var entry in model.ManifestEntries)
        {
            writer.Write("[assembly: global::Sec0.Hops.Sec0HopManifestEntry(")
                .Write(Literal(entry.Kind)).Write(", ")
                .Write(Literal(entry.Key)).Write(", ")
                .Write(Literal(entry.BodyHash)).Write(", ")
                .Write(Literal(entry.FilePath)).Write(", ")
                .Write(entry.StartLine).Write(", ")
                .Write(entry.EndLine).Write(", ")
                .Write(Literal(entry.Signature)).Write(", ")
                .Write(HopTypeExpression(entry.ExpectedType)).WriteLine(")]");
        }

        if (model.Descriptors.Count == 0)
        {
            return writer.ToString();
        }

        if (model.ManifestEntries.Count > 0)
        {
            writer.WriteLine();
        }

        writer.WriteLine("namespace Sec0.Generated");
        writer.OpenBlock();
        writer.WriteLine("internal static partial class HopDescriptors");
        writer.OpenBlock();
        var first = true;
        foreach (var hop in model.Descriptors)
        {
            if (!first)
            {
                writer.WriteLine();
            }

            first = false;
            writer.Write("/// <summary>Hop <c>").Write(XmlEscape(hop.Key)).Write("</c>: ").Write(XmlEscape(hop.Signature)).WriteLine("</summary>");
            writer.Write("internal static readonly global::Sec0.Hops.HopDescriptor ").Write(hop.FieldName)
                .Write(" = new(")
                .Write(Literal(hop.Key)).Write(", ")
                .Write(HopTypeExpression(hop.ExpectedType)).Write(", ")
                .Write(Literal(hop.BodyHash)).Write(", ")
                .Write(Literal(hop.FilePath)).Write(", ")
                .Write(hop.StartLine).Write(", ")
                .Write(hop.EndLine).Write(", ")
                .Write(Literal(hop.Signature)).WriteLine(");");
        }

        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToString();
    }

    /// <summary>The interceptors for the hop calls of one calling file.</summary>
    public static string EmitInterceptors(CallSiteFileModel file)
    {
        // One interceptor per called hop method; every call of it in this file is one [InterceptsLocation].
        var groups = new List<(TargetModel Target, List<CallSiteModel> Calls)>();
        var byId = new Dictionary<string, int>();
        foreach (var call in file.CallSites)
        {
            if (call.Target is null || call.SkipReason is not null)
            {
                continue;
            }

            if (!byId.TryGetValue(call.Target.MethodId, out var index))
            {
                index = groups.Count;
                byId.Add(call.Target.MethodId, index);
                groups.Add((call.Target, new List<CallSiteModel>()));
            }

            groups[index].Calls.Add(call);
        }

        var writer = new SourceWriter(4096);
        WriteHeader(writer);
        writer.WriteLine("namespace System.Runtime.CompilerServices");
        writer.OpenBlock();
        writer.WriteLine("[global::System.AttributeUsage(global::System.AttributeTargets.Method, AllowMultiple = true)]");
        writer.WriteLine("file sealed class InterceptsLocationAttribute : global::System.Attribute");
        writer.OpenBlock();
        writer.WriteLine("public InterceptsLocationAttribute(int version, string data)");
        writer.OpenBlock();
        writer.WriteLine("_ = version;");
        writer.WriteLine("_ = data;");
        writer.CloseBlock();
        writer.CloseBlock();
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("namespace Sec0.Generated");
        writer.OpenBlock();
        writer.WriteLine(s_generatedCode);
        writer.WriteLine("file static class Sec0HopInterceptors");
        writer.OpenBlock();
        var needsFaultedEnumerable = false;
        for (var i = 0; i < groups.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteLine();
            }

            var (target, calls) = groups[i];
            needsFaultedEnumerable |= target.Shape == ReturnShape.AsyncEnumerable;
            WriteInterceptor(writer, target, calls, i);
        }

        writer.CloseBlock();
        if (needsFaultedEnumerable)
        {
            WriteFaultedEnumerable(writer);
        }

        writer.CloseBlock();
        return writer.ToString();
    }

    private static void WriteHeader(SourceWriter writer)
    {
        writer.WriteLine("// <auto-generated/>");
        writer.WriteLine("// Generated by Sec0.Generators. Do not edit.");
        writer.WriteLine("#nullable enable");
        writer.WriteLine();
    }

    private static void WriteInterceptor(SourceWriter writer, TargetModel target, List<CallSiteModel> calls, int index)
    {
        foreach (var call in calls)
        {
            writer.Write("// ").Write(call.DisplayLocation).Write(": ").Write(target.Kind == TargetKind.Guard ? "guard of " : string.Empty).WriteLine(call.HopKey);
            writer.WriteLine(call.AttributeSyntax);
        }

        var returnType = target.ReturnType;
        writer.Write("internal static ").Write(returnType).Write(' ')
            .Write(target.Name.TrimStart('@')).Write('_').Write(index);
        if (target.TypeParameters.Count > 0)
        {
            writer.Write('<').Write(string.Join(", ", target.TypeParameters.Select(t => t.Name))).Write('>');
        }

        var declared = new List<string>();
        if (target.Kind == TargetKind.Instance)
        {
            declared.Add(target.ReceiverModifiers + target.ContainingType + " @this");
        }

        foreach (var parameter in target.Parameters)
        {
            declared.Add(parameter.Modifiers + parameter.Type + " " + parameter.Name);
        }

        writer.Write('(').Write(string.Join(", ", declared)).WriteLine(")");
        writer.Indent();
        foreach (var typeParameter in target.TypeParameters)
        {
            if (typeParameter.Constraints.Length > 0)
            {
                writer.WriteLine(typeParameter.Constraints);
            }
        }

        writer.Unindent();
        writer.OpenBlock();
        if (target.Kind == TargetKind.Guard)
        {
            // The guard of the hop whose body this call is in: passes a call its interceptor decided.
            writer.Write("global::Sec0.HopGuard.Enter(").Write(Descriptors).Write(target.DescriptorField).WriteLine(");");
            writer.CloseBlock();
            return;
        }

        var invoke = Invocation(target);
        var descriptor = Descriptors + target.DescriptorField;
        if (target.Dispatch.Count > 0)
        {
            descriptor = "__descriptor";
            WriteDispatch(writer, target, invoke);
        }

        switch (target.Shape)
        {
            case ReturnShape.Void:
            case ReturnShape.Value:
            case ReturnShape.Enumerable:
            case ReturnShape.Enumerator:
                writer.Write("var __hop = ").Write(HopRuntime).Write(".BeginEscalable(").Write(descriptor).WriteLine(");");
                WriteEscalation(writer, target);
                writer.WriteLine();
                writer.WriteLine("var __mark = __hop.Arm();");
                writer.WriteLine("try");
                writer.OpenBlock();
                if (target.Shape == ReturnShape.Void)
                {
                    writer.Write(invoke).WriteLine(";");
                    writer.WriteLine("__hop.Complete();");
                }
                else
                {
                    // An iterator's body (and guard) runs at the first MoveNext: its enumerations stay armed.
                    var result = target.Shape == ReturnShape.Value ? invoke : "__hop.ArmIterator(" + invoke + ")";
                    writer.Write("var __result = ").Write(result).WriteLine(";");
                    writer.WriteLine("__hop.Complete();");
                    writer.WriteLine("return __result;");
                }

                writer.CloseBlock();
                WriteFailAndDisarm(writer);
                break;
            default:
                // Asynchronous shapes: a denial in Begin becomes a faulted task (or an enumerable that
                // throws on the first MoveNextAsync), not a synchronous throw.
                writer.WriteLine("global::Sec0.Hops.HopInvocation __hop;");
                writer.WriteLine("try");
                writer.OpenBlock();
                writer.Write("__hop = ").Write(HopRuntime).Write(".BeginEscalable(").Write(descriptor).WriteLine(");");
                WriteEscalation(writer, target);
                writer.CloseBlock();
                writer.Write("catch (").Write(Exception).WriteLine(" __e)");
                writer.OpenBlock();
                foreach (var parameter in target.Parameters)
                {
                    if (parameter.IsOut)
                    {
                        writer.Write(parameter.Name).WriteLine(" = default!;");
                    }
                }

                writer.Write("return ").Write(Faulted(target)).WriteLine(";");
                writer.CloseBlock();
                writer.WriteLine();
                writer.Write(returnType).WriteLine(" __task;");
                writer.WriteLine("var __mark = __hop.Arm();");
                writer.WriteLine("try");
                writer.OpenBlock();
                writer.Write("__task = ").Write(invoke).WriteLine(";");
                writer.CloseBlock();
                WriteFailAndDisarm(writer);
                writer.WriteLine();
                writer.WriteLine("return __hop.CompleteAfter(__task);");
                break;
        }

        writer.CloseBlock();
    }

    /// <summary>
    /// The receiver's run-time type picks the hop: the types of the hops the call may reach are tested most
    /// derived first; the called method's own hop (if any) is the fallback, else the call runs as written.
    /// The call itself is always made as written, so the method the receiver dispatches to runs.
    /// </summary>
    private static void WriteDispatch(SourceWriter writer, TargetModel target, string invoke)
    {
        var hasFallback = target.DescriptorField.Length > 0;
        writer.Write("global::Sec0.Hops.HopDescriptor").Write(hasFallback ? string.Empty : "?").WriteLine(" __descriptor =");
        writer.Indent();
        foreach (var reached in target.Dispatch)
        {
            writer.Write("(object)@this is ").Write(reached.TestType).Write(" ? ").Write(Descriptors).Write(reached.DescriptorField).WriteLine(" :");
        }

        writer.Write(hasFallback ? Descriptors + target.DescriptorField : "null").WriteLine(";");
        writer.Unindent();
        if (!hasFallback)
        {
            writer.WriteLine("if (__descriptor is null)");
            writer.OpenBlock();
            if (target.Shape == ReturnShape.Void)
            {
                writer.Write(invoke).WriteLine(";");
                writer.WriteLine("return;");
            }
            else
            {
                writer.Write("return ").Write(invoke).WriteLine(";");
            }

            writer.CloseBlock();
        }

        writer.WriteLine();
    }

    /// <summary>
    /// Only when the decision escalated the call: its arguments (parameter name → value) for the escalation to be bound
    /// to, so allowed calls gather, serialise and hash nothing. Escalate throws the denial, or returns the started call
    /// when an approval token lets it run.
    /// </summary>
    private static void WriteEscalation(SourceWriter writer, TargetModel target)
    {
        writer.WriteLine("if (__hop.IsEscalated)");
        writer.OpenBlock();
        writer.WriteLine("var __arguments = new global::Sec0.Hops.HopArguments();");
        foreach (var parameter in target.Parameters)
        {
            var name = Literal(parameter.Name.TrimStart('@'));
            switch (parameter.Hashing)
            {
                case ArgumentHashing.Value:
                    writer.Write("__arguments.Add(").Write(name).Write(", ").Write(parameter.Name).WriteLine(");");
                    break;
                case ArgumentHashing.NotHashed:
                    writer.Write("__arguments.AddNotHashed(").Write(name).Write(", ")
                        .Write(Literal(parameter.Type.Replace("global::", string.Empty))).WriteLine(");");
                    break;
            }
        }

        writer.WriteLine("__hop = __hop.Escalate(__arguments);");
        writer.CloseBlock();
    }

    /// <summary>Records a failure (without catching it) and always takes the guard's mark back.</summary>
    private static void WriteFailAndDisarm(SourceWriter writer)
    {
        writer.Write("catch (").Write(Exception).WriteLine(" __e) when (__hop.Fail(__e))");
        writer.OpenBlock();
        writer.WriteLine("throw;");
        writer.CloseBlock();
        writer.WriteLine("finally");
        writer.OpenBlock();
        writer.WriteLine("__hop.Disarm(__mark);");
        writer.CloseBlock();
    }

    private static string Faulted(TargetModel target) => target.Shape switch
    {
        ReturnShape.Task => "global::System.Threading.Tasks.Task.FromException(__e)",
        ReturnShape.TaskOfT => "global::System.Threading.Tasks.Task.FromException<" + target.ElementType + ">(__e)",
        ReturnShape.ValueTask => "global::System.Threading.Tasks.ValueTask.FromException(__e)",
        ReturnShape.ValueTaskOfT => "global::System.Threading.Tasks.ValueTask.FromException<" + target.ElementType + ">(__e)",
        _ => "new global::Sec0.Generated.Sec0FaultedAsyncEnumerable<" + target.ElementType + ">(__e)",
    };

    private static string Invocation(TargetModel target)
    {
        var sb = new StringBuilder();
        sb.Append(target.Kind == TargetKind.Instance ? "@this" : target.ContainingType).Append('.').Append(target.Name);
        if (target.MethodTypeArguments.Count > 0)
        {
            sb.Append('<').Append(string.Join(", ", target.MethodTypeArguments)).Append('>');
        }

        sb.Append('(').Append(string.Join(", ", target.Parameters.Select(p => p.ArgumentPrefix + p.Name))).Append(')');
        return sb.ToString();
    }

    private static void WriteFaultedEnumerable(SourceWriter writer)
    {
        writer.WriteLine();
        writer.WriteLine("/// <summary>An async sequence whose first MoveNextAsync fails: how a denied asynchronous-stream hop reports.</summary>");
        writer.WriteLine(s_generatedCode);
        writer.WriteLine("file sealed class Sec0FaultedAsyncEnumerable<T> : global::System.Collections.Generic.IAsyncEnumerable<T>, global::System.Collections.Generic.IAsyncEnumerator<T>");
        writer.OpenBlock();
        writer.Write("private readonly ").Write(Exception).WriteLine(" _exception;");
        writer.WriteLine();
        writer.Write("public Sec0FaultedAsyncEnumerable(").Write(Exception).WriteLine(" exception) => _exception = exception;");
        writer.WriteLine();
        writer.WriteLine("public T Current => default!;");
        writer.WriteLine();
        writer.WriteLine("public global::System.Collections.Generic.IAsyncEnumerator<T> GetAsyncEnumerator(global::System.Threading.CancellationToken cancellationToken = default) => this;");
        writer.WriteLine();
        writer.WriteLine("public global::System.Threading.Tasks.ValueTask<bool> MoveNextAsync() => global::System.Threading.Tasks.ValueTask.FromException<bool>(_exception);");
        writer.WriteLine();
        writer.WriteLine("public global::System.Threading.Tasks.ValueTask DisposeAsync() => default;");
        writer.CloseBlock();
    }

    /// <summary>A <c>HopType</c> value as generated code names it: the member, or a cast of a value the enum does not define.</summary>
    private static string HopTypeExpression(int value)
        => s_hopTypes.TryGetValue(value, out var expression) ? expression : "(global::Sec0.HopType)" + value.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<int, string> HopTypeExpressions()
    {
        var expressions = new Dictionary<int, string>();
        foreach (HopType type in Enum.GetValues(typeof(HopType)))
        {
            expressions[(int)type] = "global::Sec0.HopType." + type.ToString();
        }

        return expressions;
    }

    /// <summary>A C# regular string literal.</summary>
    public static string Literal(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                default:
                    if (char.IsControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
        return sb.ToString();
    }

    private static string XmlEscape(string value)
        => value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\n", " ").Replace("\r", " ");
}
