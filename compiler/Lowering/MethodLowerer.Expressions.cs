using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

internal sealed partial class MethodLowerer
{
    // ---------------------------------------------------------------- statements

    private void Execute(IOperation operation)
    {
        switch (operation)
        {
            case IFlowCaptureOperation capture:
                // Roslyn spills an assignment's target local into a capture before the assigned
                // value branches; a local declared without a value has nothing to read yet.
                if (capture.Value is ILocalReferenceOperation { Local: var target } && !_slots.ContainsKey(target)
                    && _frame.CapturedTargets.ContainsKey(capture.Id))
                    break;
                _slots[capture.Id] = Eval(capture.Value);
                OrderOf(capture.Id);
                break;
            case IExpressionStatementOperation statement:
                if (_options.Strict)
                {
                    Eval(statement.Operation);
                    break;
                }
                var block = _block;
                var reads = _stateReads.Count;
                try
                {
                    Eval(statement.Operation);
                }
                catch (LoweringException e) when (e is not RestartException && CanFallBack(e.Diagnostic.Id) && _block == block && EagerRegion.CanRun(statement))
                {
                    // What the statement read runs eagerly with it, at run time.
                    _stateReads.RemoveRange(reads, _stateReads.Count - reads);
                    FallBack(statement, e.Diagnostic);
                }
                break;
            default:
                Eval(operation);
                break;
        }
    }

    private void Warn(string id, IOperation at, string message)
    {
        var warning = MakeDiagnostic(id, DiagnosticSeverity.Warning, at.Syntax, message);
        if (!_warnings.Exists(w => w.Id == id && w.Line == warning.Line && w.Column == warning.Column && w.File == warning.File)) _warnings.Add(warning);
    }

    private static bool CanFallBack(string id) => id is DiagnosticIds.InputOutput or DiagnosticIds.UnknownMethod or DiagnosticIds.FieldMutation
        or DiagnosticIds.Allocation or DiagnosticIds.UnsupportedExpression or DiagnosticIds.MutableFieldRead;

    /// <summary>Non-strict mode: the statement runs eagerly through <c>host.call</c>, with the
    /// run-time values of the locals it reads; a warning says so.</summary>
    private void FallBack(IOperation statement, Diagnostic why)
    {
        var known = new Dictionary<object, object?>();
        var dynamicSlots = new List<object>();
        var values = new List<Value>();
        foreach (var slot in EagerRegion.Reads(statement))
        {
            switch (_slots.GetValueOrDefault(slot))
            {
                case StaticValue s:
                    known[slot] = s.Object is StaticEnumerator e ? e.Current : s.Object;
                    break;
                case DynamicValue d:
                    dynamicSlots.Add(slot);
                    values.Add(Use(d.Value));
                    break;
                default:
                    throw new LoweringException(why);
            }
        }
        foreach (var written in EagerRegion.Writes(statement))
            _stateWrites.Add(new StateAccess(MemberOf(written)!, written));
        var symbol = $"{_frame.Method.ContainingType.Name}.{_frame.Method.Name}@{why.Line}:{why.Column}";
        var id = EagerRegion.Register(Callbacks, symbol, statement, _frame.Self, known, dynamicSlots);
        _block.Ops("host.call", [_block.Const(id), .. values]);
        Warn(DiagnosticIds.HostFallback, statement,
            $"'{statement.Syntax}' runs eagerly on the host (host.call to {symbol}) because {why.Id}: {why.Message}; strict mode makes this an error");
    }

    // ---------------------------------------------------------------- expressions

    private AbstractValue Eval(IOperation op)
    {
        // Operands nest as deep as the source does (calls in calls, parentheses, a right-nested
        // sum): past what the thread's stack holds, a diagnostic instead of a stack overflow.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Fail(DiagnosticIds.NestingTooDeep, op, ModelLowering.TooDeepMessage);
        if (op.ConstantValue.HasValue && op is not IDeclarationExpressionOperation)
            return new StaticValue(op.ConstantValue.Value);
        switch (op)
        {
            case ILocalReferenceOperation local:
                return Read(local.Local, op);
            case IParameterReferenceOperation parameter:
                return Read(parameter.Parameter, op);
            case IFlowCaptureReferenceOperation capture:
                return Read(capture.Id, op);
            case IInstanceReferenceOperation:
                return new StaticValue(_frame.Self);
            case IParenthesizedOperation paren:
                return Eval(paren.Operand);
            case IFieldReferenceOperation field:
                return ReadField(field);
            case IPropertyReferenceOperation property:
                return ReadProperty(property);
            case IArrayElementReferenceOperation element:
                return ReadElement(element);
            case IConversionOperation conversion:
                return Convert(Eval(conversion.Operand), conversion.Type, conversion);
            case IBinaryOperation binary:
                return Binary(binary);
            case IUnaryOperation unary:
                return Unary(unary);
            case ISimpleAssignmentOperation assignment:
                {
                    var value = Eval(assignment.Value);
                    Assign(assignment.Target, value);
                    return value;
                }
            case ICompoundAssignmentOperation compound:
                {
                    var left = Eval(compound.Target);
                    _inFlight.Add(left);
                    var right = Eval(compound.Value);
                    _inFlight.RemoveAt(_inFlight.Count - 1);
                    var value = compound.OperatorMethod is { } method
                        ? CallMethod(method, null, [(method.Parameters[0], left), (method.Parameters[1], right)], compound)
                        : ScalarBinary(compound.OperatorKind, left, right, compound.Target.Type, compound.Type, compound);
                    Assign(compound.Target, value);
                    return value;
                }
            case IIncrementOrDecrementOperation increment:
                {
                    var old = Eval(increment.Target);
                    var updated = ScalarBinary(increment.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract,
                        old, new StaticValue(1), increment.Target.Type, increment.Target.Type, increment);
                    Assign(increment.Target, updated);
                    return increment.IsPostfix ? old : updated;
                }
            case IDeconstructionAssignmentOperation deconstruction:
                {
                    var value = Eval(deconstruction.Value);
                    Assign(deconstruction.Target, value);
                    return value;
                }
            case IDeclarationExpressionOperation declaration:
                return Eval(declaration.Expression);
            case ITupleOperation tuple:
                return new TupleValue([.. EvalAll(tuple.Elements)]);
            case IInvocationOperation invocation:
                return Invoke(invocation);
            case IArrayCreationOperation array:
                return CreateArray(array);
            case ICollectionExpressionOperation collection when collection.Type is IArrayTypeSymbol arrayType:
                return ArrayOf(Elements(collection), arrayType.ElementType.SpecialType, collection);
            case ICollectionExpressionOperation collection when IsTensorList(collection.Type):
                return new TupleValue([.. Elements(collection)]);
            case IObjectCreationOperation creation when IsTensorList(creation.Type) && creation.Initializer is null
                && creation.Arguments.All(a => a.Value.Type?.SpecialType == SpecialType.System_Int32):
                // new List<Tensor>() (a capacity aside): the list's items are tracked as the program runs.
                return new TupleValue([]);
            case IIsNullOperation isNull:
                {
                    var operand = Eval(isNull.Operand);
                    return new StaticValue(operand is StaticValue { Object: null });
                }
            case IDefaultValueOperation defaultValue:
                return new StaticValue(defaultValue.Type is { IsValueType: true } t && t.SpecialType != SpecialType.None ? DefaultOf(t) : null);
            case IIsPatternOperation pattern:
                return Pattern(Eval(pattern.Value), pattern.Pattern, pattern.Value.Type);
            case IObjectCreationOperation creation:
                throw Fail(DiagnosticIds.Allocation, op,
                    $"creating a {creation.Type?.Name ?? "object"} in a forward method cannot compile; create it in the constructor and keep it in a readonly field");
            case IAnonymousFunctionOperation or IDelegateCreationOperation:
                throw Fail(DiagnosticIds.Lambda, op, "lambdas and delegates cannot compile; write the computation inline or as a helper method of the model");
            case IThrowOperation:
                throw Fail(DiagnosticIds.Exceptions, op, "throwing exceptions cannot compile; return a sentinel value or check the condition before the forward pass");
            case IAddressOfOperation:
                throw Fail(DiagnosticIds.Unsafe, op, "pointers and unsafe code cannot compile; use tensor operations");
            default:
                throw Fail(DiagnosticIds.UnsupportedExpression, op,
                    $"this expression ({op.Kind}) is outside the compiled subset; see docs/language.md for what a forward method may contain");
        }
    }

    private List<AbstractValue> EvalAll(IEnumerable<IOperation> operations)
    {
        var mark = _inFlight.Count;
        var result = new List<AbstractValue>();
        foreach (var o in operations)
        {
            var v = Eval(o);
            result.Add(v);
            _inFlight.Add(v);
        }
        _inFlight.RemoveRange(mark, _inFlight.Count - mark);
        return result;
    }

    /// <summary>The elements of a collection expression, a spread (<c>[.. list]</c>) inlined.</summary>
    private List<AbstractValue> Elements(ICollectionExpressionOperation collection)
    {
        var result = new List<AbstractValue>();
        var mark = _inFlight.Count;
        foreach (var element in collection.Elements)
        {
            if (element is ISpreadOperation spread)
            {
                var items = Eval(spread.Operand);
                if (items is TupleValue t) result.AddRange(t.Items);
                else if (items is StaticValue { Object: int[] ints }) result.AddRange(ints.Select(i => (AbstractValue)new StaticValue(i)));
                else throw Fail(DiagnosticIds.UnsupportedExpression, spread, $"'{spread.Operand.Syntax}' cannot be spread here; spread a List<Tensor> or an array");
            }
            else result.Add(Eval(element));
            _inFlight.AddRange(result.Skip(_inFlight.Count - mark));
        }
        _inFlight.RemoveRange(mark, _inFlight.Count - mark);
        return result;
    }

    /// <summary>Whether <paramref name="type"/> is <c>List&lt;Tensor&gt;</c>.</summary>
    internal static bool IsTensorList(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "List", TypeArguments: [{ Name: "Tensor" } element] } list
        && list.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic"
        && element.ContainingNamespace?.ToDisplayString() == "DyCompile.Runtime";

    private static object? DefaultOf(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Int32 => 0,
        SpecialType.System_Single => 0f,
        SpecialType.System_Double => 0.0,
        SpecialType.System_Boolean => false,
        _ => null,
    };

    private AbstractValue Read(object slot, IOperation at) =>
        _slots.TryGetValue(slot, out var v) ? v
        : throw Fail(DiagnosticIds.UnsupportedExpression, at, $"'{at.Syntax}' is read before the compiler saw it assigned on this path; assign it on every path first");

    private void Assign(IOperation target, AbstractValue value)
    {
        switch (target)
        {
            case ILocalReferenceOperation local:
                _slots[local.Local] = value;
                _assignedAt[local.Local] = target.Parent ?? target;
                OrderOf(local.Local);
                break;
            case IParameterReferenceOperation parameter:
                if (parameter.Parameter.RefKind != RefKind.None)
                    throw Fail(DiagnosticIds.RefOrOut, target, "ref and out parameters cannot compile; return the values (a tuple for several)");
                _slots[parameter.Parameter] = value;
                _assignedAt[parameter.Parameter] = target.Parent ?? target;
                break;
            case IDeclarationExpressionOperation declaration:
                Assign(declaration.Expression, value);
                break;
            case ITupleOperation tuple:
                {
                    var items = value is TupleValue t ? t.Items
                        : throw Fail(DiagnosticIds.UnsupportedExpression, target, "only tuples can be deconstructed");
                    for (var i = 0; i < tuple.Elements.Length; i++) Assign(tuple.Elements[i], items[i]);
                    break;
                }
            case IDiscardOperation:
                break;
            case IFlowCaptureReferenceOperation capture when _frame.CapturedTargets.TryGetValue(capture.Id, out var captured):
                Assign(captured, value);
                break;
            case IFieldReferenceOperation or IPropertyReferenceOperation or IArrayElementReferenceOperation:
                throw Fail(DiagnosticIds.FieldMutation, target,
                    $"assigning '{target.Syntax}' mutates the model; a forward method must be a function of its inputs: keep the value in a local and return it (state kept between calls: pass it in as a parameter and return the new value)");
            default:
                throw Fail(DiagnosticIds.UnsupportedExpression, target, $"cannot assign to '{target.Syntax}'; assign to a local variable");
        }
    }

    // ---------------------------------------------------------------- members of compile-time objects

    private AbstractValue ReadField(IFieldReferenceOperation op)
    {
        var field = op.Field;
        var receiver = op.Instance is null ? null : Eval(op.Instance);
        if (receiver is DispatchValue picked)
            throw NotACall(picked, op);
        if (receiver is TupleValue tuple)
            return tuple.Items[TupleIndex(field, op)];
        if (receiver is DynamicValue)
            throw Fail(DiagnosticIds.UnsupportedExpression, op, $"field '{field.Name}' of a run-time value cannot compile");
        var owner = (receiver as StaticValue)?.Object;
        if (op.Instance is not null && owner is null)
            throw Fail(DiagnosticIds.UnsupportedExpression, op, NullMessage((receiver as StaticValue)!, op.Instance));
        var value = ReflectField(field, owner, op);
        if (!field.IsReadOnly && !field.IsConst) _stateReads.Add(new StateAccess(field.OriginalDefinition, op));
        if (value is null && !field.IsConst) return new StaticValue(null) { NullField = field.Name };
        if (value is Tensor named && owner is not null) _weightNames.Suggest(named, owner, field.Name);
        if (value is Tensor or Module or null || field.IsReadOnly || field.IsConst || field.Type.TypeKind == TypeKind.Array && value is not float[] and not int[])
            return new StaticValue(value);
        if (field.Type.TypeKind == TypeKind.Array)
            return new StaticValue(value);
        throw Fail(DiagnosticIds.MutableFieldRead, op,
            $"field '{field.Name}' is not readonly, so its value may change between calls; mark it readonly (or const) so it folds into the program, or pass the value as a parameter");
    }

    private int TupleIndex(IFieldSymbol field, IOperation at)
    {
        var name = field.CorrespondingTupleField?.Name ?? field.Name;
        if (name.StartsWith("Item", StringComparison.Ordinal) && int.TryParse(name.AsSpan(4), out var n)) return n - 1;
        var index = field.ContainingType.TupleElements.IndexOf(field, SymbolEqualityComparer.Default);
        return index >= 0 ? index : throw Fail(DiagnosticIds.UnsupportedExpression, at, $"unknown tuple element '{field.Name}'");
    }

    private object? ReflectField(IFieldSymbol field, object? owner, IOperation at)
    {
        if (field.IsConst) return field.ConstantValue;
        var type = owner?.GetType() ?? FindType(field.ContainingType, at);
        for (var t = type; t is not null; t = t.BaseType)
        {
            var info = t.GetField(field.Name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly);
            if (info is not null) return info.GetValue(info.IsStatic ? null : owner);
        }
        throw Fail(DiagnosticIds.UnsupportedExpression, at, $"field '{field.Name}' was not found on the model instance; lower the model with an instance of the compiled type");
    }

    private Type FindType(INamedTypeSymbol symbol, IOperation at)
    {
        var name = symbol.ContainingNamespace.IsGlobalNamespace ? symbol.MetadataName : symbol.ContainingNamespace.ToDisplayString() + "." + symbol.MetadataName;
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            if (assembly.GetType(name) is { } t) return t;
        throw Fail(DiagnosticIds.UnsupportedExpression, at, $"type '{name}' is not loaded");
    }

    private AbstractValue ReadProperty(IPropertyReferenceOperation op)
    {
        var property = op.Property;
        var receiver = op.Instance is null ? null : Eval(op.Instance);
        var args = EvalAll(op.Arguments.Select(a => a.Value));
        if (receiver is DispatchValue picked)
            throw NotACall(picked, op);
        if (property.IsIndexer && receiver is StaticValue { Object: var collection } && ModuleItems(collection) is { } modules && args is [var position])
        {
            if (position is DynamicValue dynamicPosition) return IndexModules(modules, dynamicPosition, op.Instance!, op);
            if (position is StaticValue { Object: int p } && (p < 0 || p >= modules.Count) && DispatchInstead(op) is { } restart) throw restart;
        }
        if (receiver is DynamicValue { Value.Type: TensorType tensor } && args.Count == 0)
        {
            if (property.Name == "Rank") return new StaticValue(tensor.Rank);
            if (property.Name == "Length" && tensor.IsStatic) return new StaticValue((int)tensor.ElementCount);
        }
        if (receiver is StaticValue { Object: StaticEnumerator e } && property.Name == "Current")
            return new StaticValue(e.Current);
        if (receiver is TupleValue tuple && property.IsIndexer && args is [StaticValue { Object: int i }])
            return tuple.Items[i];
        if (receiver is TupleValue list && property.Name is "Length" or "Count")
            return new StaticValue(list.Items.Length);
        if (receiver is not (StaticValue or null) || args.Any(a => a is not StaticValue))
        {
            var dynamicIndex = args.OfType<DynamicValue>().FirstOrDefault();
            if (dynamicIndex is not null && receiver is StaticValue)
                throw NeedStatic(dynamicIndex.Value, DiagnosticIds.DynamicModuleIndex, op,
                    $"indexing '{op.Instance?.Syntax}' needs an index known at compile time; iterate with foreach, or bound the loop by the list's Count");
            throw Fail(DiagnosticIds.UnsupportedExpression, op, $"property '{property.Name}' of a run-time value cannot compile");
        }
        var owner = (receiver as StaticValue)?.Object;
        if (!IsPureProperty(property))
            throw Fail(DiagnosticIds.UnsupportedExpression, op, $"property '{property.Name}' is computed by code the compiler does not inline; read a field or make it an auto-property");
        try
        {
            var type = owner?.GetType() ?? FindType(property.ContainingType, op);
            var info = FindProperty(type, property, args.Count)
                ?? throw Fail(DiagnosticIds.UnsupportedExpression, op, $"property '{property.Name}' was not found on the model instance");
            var value = info.GetValue(owner, [.. args.Select(a => ((StaticValue)a).Object)]);
            if (IsSettable(property))
            {
                // The same rule as a field that is not readonly: a scalar may change between calls.
                if (value is not (Tensor or Module or Array or null))
                    throw Fail(DiagnosticIds.MutableFieldRead, op,
                        $"property '{property.Name}' has a setter, so its value may change between calls; make it get-only ({{ get; }} or {{ get; init; }}) so it folds into the program, or pass the value as a parameter");
                _stateReads.Add(new StateAccess(property.OriginalDefinition, op));
            }
            return new StaticValue(value);
        }
        catch (System.Reflection.TargetInvocationException failure)
        {
            throw Fail(DiagnosticIds.UnsupportedExpression, op, $"reading '{op.Syntax}' failed at compile time: {failure.InnerException?.Message}");
        }
    }

    /// <summary>A property of the model's source that code may assign after construction: it has
    /// a setter that is not <c>init</c> (a private one too).</summary>
    private static bool IsSettable(IPropertySymbol property) =>
        property.DeclaringSyntaxReferences.Length > 0 && !property.IsIndexer && property.SetMethod is { IsInitOnly: false };

    private static System.Reflection.PropertyInfo? FindProperty(Type type, IPropertySymbol property, int indexCount)
    {
        const System.Reflection.BindingFlags flags = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static;
        var name = property.IsIndexer ? property.MetadataName : property.Name;
        return type.GetProperties(flags).FirstOrDefault(p => p.Name == name && p.GetIndexParameters().Length == indexCount)
            ?? type.GetProperties(flags).FirstOrDefault(p => p.Name.EndsWith("." + name, StringComparison.Ordinal) && p.GetIndexParameters().Length == indexCount);
    }

    /// <summary>A property the compiler may read at compile time: one of the runtime (its getters
    /// have no side effects), an auto-property, or an array/collection length.</summary>
    private static bool IsPureProperty(IPropertySymbol property)
    {
        if (property.DeclaringSyntaxReferences.Length == 0) return true;
        return property.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax>()
            .All(p => p.ExpressionBody is null && (p.AccessorList?.Accessors.All(a => a.Body is null && a.ExpressionBody is null) ?? false));
    }

    private AbstractValue ReadElement(IArrayElementReferenceOperation op)
    {
        var array = Eval(op.ArrayReference);
        var indices = EvalAll(op.Indices);
        if (array is StaticValue { Object: Module[] moduleArray } && ModuleItems(moduleArray) is { } modules && indices is [var position])
        {
            if (position is DynamicValue dynamicPosition) return IndexModules(modules, dynamicPosition, op.ArrayReference, op);
            if (position is StaticValue { Object: int p } && (p < 0 || p >= modules.Count) && DispatchInstead(op) is { } restart) throw restart;
        }
        if (indices is not [StaticValue { Object: int i }])
        {
            if (indices is [DynamicValue d])
                throw NeedStatic(d.Value, DynamicIndexId(array), op, $"indexing '{op.ArrayReference.Syntax}' needs an index known at compile time; iterate with foreach, or bound the loop by a constant");
            throw Fail(DiagnosticIds.UnsupportedExpression, op, "only one-dimensional arrays indexed by an int can compile");
        }
        return array switch
        {
            TupleValue t when i >= 0 && i < t.Items.Length => t.Items[i],
            StaticValue { Object: Array a } when i >= 0 && i < a.Length => new StaticValue(a.GetValue(i)),
            _ => throw Fail(DiagnosticIds.UnsupportedExpression, op, $"index {i} is outside '{op.ArrayReference.Syntax}'"),
        };
    }

    private LoweringException NotACall(DispatchValue picked, IOperation at) =>
        Fail(DiagnosticIds.DynamicModuleIndex, at,
            $"'{at.Syntax}' reads a member of an element of '{picked.Collection}' picked by a run-time index; only a call on it compiles (as a dispatch): '{picked.Collection}[i].Forward(x)'");

    private static string DynamicIndexId(AbstractValue array) => array is StaticValue { Object: Module[] } ? DiagnosticIds.DynamicModuleIndex : DiagnosticIds.NotCompileTimeConstant;

    private AbstractValue CreateArray(IArrayCreationOperation op)
    {
        if (op.Initializer is null)
        {
            var sizes = EvalAll(op.DimensionSizes);
            if (sizes is [StaticValue { Object: 0 }]) return ElementType(op) == SpecialType.System_Int32 ? new StaticValue(Array.Empty<int>()) : new TupleValue([]);
            throw Fail(DiagnosticIds.Allocation, op, "allocating arrays cannot compile; use an array literal of constants or tensors");
        }
        return ArrayOf(EvalAll(op.Initializer.ElementValues), ElementType(op), op);
    }

    private AbstractValue ArrayOf(List<AbstractValue> items, SpecialType elementType, IOperation op)
    {
        if (elementType == SpecialType.System_Int32)
        {
            if (items.All(v => v is StaticValue { Object: int })) return new StaticValue(items.Select(v => (int)((StaticValue)v).Object!).ToArray());
            var dynamicItem = items.OfType<DynamicValue>().First();
            throw NeedStatic(dynamicItem.Value, DiagnosticIds.NotCompileTimeConstant, op, "the elements of this int array must be known at compile time (constants, readonly fields, or dimensions of static shape)");
        }
        return new TupleValue([.. items]);
    }

    private static SpecialType ElementType(IArrayCreationOperation op) => (op.Type as IArrayTypeSymbol)?.ElementType.SpecialType ?? SpecialType.None;

    // ---------------------------------------------------------------- conversions and scalars

    private AbstractValue Convert(AbstractValue value, ITypeSymbol? target, IOperation at)
    {
        if (target is null) return value;
        var special = target.SpecialType;
        if (special is not (SpecialType.System_Int32 or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Boolean or SpecialType.System_Int64))
            return value;
        switch (value)
        {
            case StaticValue { Object: null }:
                return value;
            case StaticValue { Object: IConvertible c } when c is int or float or double or bool or long:
                return new StaticValue(special switch
                {
                    SpecialType.System_Int32 => c is float f ? (int)f : c is double d ? (int)d : c is long l ? (int)l : System.Convert.ToInt32(c, System.Globalization.CultureInfo.InvariantCulture),
                    SpecialType.System_Int64 => c is float f ? (long)f : c is double d ? (long)d : System.Convert.ToInt64(c, System.Globalization.CultureInfo.InvariantCulture),
                    SpecialType.System_Single => c is double d ? (float)d : System.Convert.ToSingle(c, System.Globalization.CultureInfo.InvariantCulture),
                    SpecialType.System_Double => c is float f ? (double)f : System.Convert.ToDouble(c, System.Globalization.CultureInfo.InvariantCulture),
                    _ => System.Convert.ToBoolean(c, System.Globalization.CultureInfo.InvariantCulture),
                });
            case DynamicValue { Value.Type: ScalarType s } d:
                var kind = KindOf(target, at);
                if (kind == s.Kind) return d;
                return kind switch
                {
                    ScalarKind.Float => new DynamicValue(Host("to_float", d.Value)),
                    ScalarKind.Int => new DynamicValue(Host("to_int", d.Value)),
                    _ => throw Fail(DiagnosticIds.UnsupportedExpression, at, $"cannot convert {s} to bool"),
                };
            default:
                return value;
        }
    }

    private ScalarKind KindOf(ITypeSymbol? type, IOperation at) => type?.SpecialType switch
    {
        SpecialType.System_Int32 => ScalarKind.Int,
        SpecialType.System_Single or SpecialType.System_Double => ScalarKind.Float,
        SpecialType.System_Boolean => ScalarKind.Bool,
        _ => throw Fail(DiagnosticIds.UnsupportedType, at,
            $"values of type {type?.ToDisplayString() ?? "unknown"} cannot compile; use Tensor, int, float or bool"),
    };

    private AbstractValue Unary(IUnaryOperation op)
    {
        var operand = Eval(op.Operand);
        if (op.OperatorMethod is { } method)
            return CallMethod(method, null, [(method.Parameters[0], operand)], op);
        switch (op.OperatorKind)
        {
            case UnaryOperatorKind.Plus:
                return operand;
            case UnaryOperatorKind.Minus:
                return operand is StaticValue s
                    ? new StaticValue(s.Object switch { int i => -i, float f => -f, double d => -d, _ => throw Fail(DiagnosticIds.UnsupportedExpression, op, "cannot negate this value") })
                    : new DynamicValue(Host("neg", HostScalar(operand, KindOf(op.Type, op), op)));
            case UnaryOperatorKind.Not:
                return operand is StaticValue { Object: bool b }
                    ? new StaticValue(!b)
                    : new DynamicValue(Host("not", HostScalar(operand, ScalarKind.Bool, op)));
            default:
                throw Fail(DiagnosticIds.UnsupportedExpression, op, $"operator {op.OperatorKind} cannot compile");
        }
    }

    /// <summary>A binary operation. <c>a + b + c + …</c> nests to the left as deep as it is long,
    /// so the left spine is walked with an explicit stack: a sum of thousands of terms lowers
    /// without recursing once per term.</summary>
    private AbstractValue Binary(IBinaryOperation op)
    {
        var spine = new Stack<IBinaryOperation>();
        spine.Push(op);
        while (spine.Peek().LeftOperand is IBinaryOperation { ConstantValue.HasValue: false } inner)
            spine.Push(inner);
        var left = Eval(spine.Peek().LeftOperand);
        while (spine.Count > 0)
        {
            var current = spine.Pop();
            _inFlight.Add(left);
            var right = Eval(current.RightOperand);
            _inFlight.RemoveAt(_inFlight.Count - 1);
            left = current.OperatorMethod is { } method
                ? CallMethod(method, null, [(method.Parameters[0], left), (method.Parameters[1], right)], current)
                : ScalarBinary(current.OperatorKind, left, right, current.LeftOperand.Type, current.Type, current);
        }
        return left;
    }

    private AbstractValue ScalarBinary(BinaryOperatorKind kind, AbstractValue left, AbstractValue right, ITypeSymbol? operandType, ITypeSymbol? resultType, IOperation at)
    {
        // 'best == null' on a tensor or module: known, as 'best is null' is.
        if (kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals && operandType is { IsReferenceType: true }
            && (left is StaticValue { Object: null } || right is StaticValue { Object: null }))
        {
            // A program value is never null, so only two nulls are equal.
            var equal = left is StaticValue { Object: null } && right is StaticValue { Object: null };
            return new StaticValue(kind == BinaryOperatorKind.Equals ? equal : !equal);
        }
        var operandKind = KindOf(operandType, at);
        if (left is StaticValue { Object: not null } l && right is StaticValue { Object: not null } r)
            return new StaticValue(ScalarFolding.Fold(kind, l.Object!, r.Object!, operandType!.SpecialType)
                ?? throw Fail(DiagnosticIds.UnsupportedExpression, at, $"operator {kind} on {operandType} cannot compile"));
        if (operandType?.SpecialType == SpecialType.System_Double || resultType?.SpecialType == SpecialType.System_Double)
            Warn(DiagnosticIds.UnsupportedType, at, "double arithmetic on run-time values runs in float (the IR's host float is 32-bit), so results may differ from the eager double computation; declare the value float");
        var a = HostScalar(left, operandKind, at);
        var b = HostScalar(right, operandKind, at);
        var name = (kind, operandKind) switch
        {
            (BinaryOperatorKind.Add, not ScalarKind.Bool) => "add",
            (BinaryOperatorKind.Subtract, not ScalarKind.Bool) => "sub",
            (BinaryOperatorKind.Multiply, not ScalarKind.Bool) => "mul",
            (BinaryOperatorKind.Divide, not ScalarKind.Bool) => "div",
            (BinaryOperatorKind.Remainder, ScalarKind.Int) => "rem",
            (BinaryOperatorKind.LessThan, not ScalarKind.Bool) => "lt",
            (BinaryOperatorKind.LessThanOrEqual, not ScalarKind.Bool) => "le",
            (BinaryOperatorKind.GreaterThan, not ScalarKind.Bool) => "gt",
            (BinaryOperatorKind.GreaterThanOrEqual, not ScalarKind.Bool) => "ge",
            (BinaryOperatorKind.Equals, _) => "eq",
            (BinaryOperatorKind.NotEquals, _) => "ne",
            (BinaryOperatorKind.And or BinaryOperatorKind.ConditionalAnd, ScalarKind.Bool) => "and",
            (BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr, ScalarKind.Bool) => "or",
            (BinaryOperatorKind.ExclusiveOr, ScalarKind.Bool) => "ne",
            _ => throw Fail(DiagnosticIds.UnsupportedExpression, at, $"operator {kind} on {operandKind} cannot compile; host scalars support + - * / (% on int), comparisons, && || ! and ^ on bool"),
        };
        if (name == "rem")
        {
            // C#'s int remainder truncates toward zero, as host.div does: a - (a / b) * b.
            var q = Host("div", a, b);
            return new DynamicValue(Host("sub", a, Host("mul", q, b)));
        }
        return new DynamicValue(Host(name, a, b));
    }

    private AbstractValue Pattern(AbstractValue value, IPatternOperation pattern, ITypeSymbol? type)
    {
        switch (pattern)
        {
            case IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } when value is StaticValue known:
                // 'field is null' on a module or tensor field folds: the instance is known.
                return new StaticValue(known.Object is null);
            case IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } when value is DynamicValue or TupleValue:
                // A value computed by the program is never null ('best is null' once best holds a tensor).
                return new StaticValue(false);
            case IConstantPatternOperation constant:
                return ScalarBinary(BinaryOperatorKind.Equals, value, Convert(Eval(constant.Value), type, constant), type, null, pattern);
            case IRelationalPatternOperation relational:
                return ScalarBinary(relational.OperatorKind, value, Convert(Eval(relational.Value), type, relational), type, null, pattern);
            case IDiscardPatternOperation:
                return new StaticValue(true);
            case INegatedPatternOperation negated:
                var inner = Pattern(value, negated.Pattern, type);
                return inner is StaticValue { Object: bool b } ? new StaticValue(!b) : new DynamicValue(Host("not", HostScalar(inner, ScalarKind.Bool, pattern)));
            case IBinaryPatternOperation binary:
                var left = Pattern(value, binary.LeftPattern, type);
                var right = Pattern(value, binary.RightPattern, type);
                return ScalarBinary(binary.OperatorKind == BinaryOperatorKind.Or ? BinaryOperatorKind.Or : BinaryOperatorKind.And, left, right,
                    _compilation.GetSpecialType(SpecialType.System_Boolean), null, pattern);
            default:
                throw Fail(DiagnosticIds.UnsupportedExpression, pattern, "only constant, relational, not/and/or and discard patterns on host scalars can compile");
        }
    }

    // ---------------------------------------------------------------- emitting

    private Value Host(string op, params Value[] operands)
    {
        var used = operands.Select(Use).ToArray();
        var result = _block.Host(op, used);
        var origins = used.Where(_origins.ContainsKey).SelectMany(v => _origins[v]).ToHashSet();
        if (origins.Count > 0) _origins[result] = origins;
        return result;
    }

    /// <summary>A host scalar of the given kind from a compile-time or run-time value.</summary>
    private Value HostScalar(AbstractValue value, ScalarKind kind, IOperation at)
    {
        switch (value)
        {
            case StaticValue { Object: not null } s when s.Object is int or float or double or bool or long:
                return MaterializeScalar(kind switch
                {
                    ScalarKind.Int => System.Convert.ToInt32(s.Object, System.Globalization.CultureInfo.InvariantCulture),
                    ScalarKind.Float => System.Convert.ToSingle(s.Object, System.Globalization.CultureInfo.InvariantCulture),
                    _ => System.Convert.ToBoolean(s.Object, System.Globalization.CultureInfo.InvariantCulture),
                }, at);
            case DynamicValue { Value.Type: ScalarType t } d:
                if (t.Kind == kind) return Use(d.Value);
                if (kind == ScalarKind.Float) return Host("to_float", d.Value);
                if (kind == ScalarKind.Int) return Host("to_int", d.Value);
                break;
        }
        throw Fail(DiagnosticIds.UnsupportedExpression, at, $"'{at.Syntax}' must be a host {kind.ToString().ToLowerInvariant()} here");
    }

    private Value MaterializeScalar(object value, IOperation? at) => value switch
    {
        int i => _block.Const(i),
        float f => _block.Const(f),
        double d => _block.Const((float)d),
        bool b => _block.Const(b),
        long l when l is >= int.MinValue and <= int.MaxValue => _block.Const((int)l),
        _ => throw Fail(DiagnosticIds.UnsupportedType, at ?? _frame.Graph.OriginalOperation, $"a {value.GetType().Name} cannot be a program value"),
    };

    /// <summary>Any value as one IR value: a run-time value, a folded scalar as a constant, a
    /// tensor of the model as a program weight.</summary>
    private Value Materialize(AbstractValue value, IOperation at) => value switch
    {
        DynamicValue d => Use(d.Value),
        StaticValue { Object: Tensor t } => Weight(t, at),
        StaticValue { Object: CompileTimeTensor c } => ConstTensor(c.Value),
        StaticValue { Object: int or float or double or bool } s => MaterializeScalar(s.Object!, at),
        StaticValue { Object: null } nothing => throw NullUse(nothing, at),
        _ => throw Fail(DiagnosticIds.UnsupportedType, at, $"'{at.Syntax}' is not a tensor or host scalar; only tensors and int/float/bool values can flow through the program"),
    };

    /// <summary>A null used as a value. A local that starts null (<c>Tensor? best = null</c>) and is
    /// assigned in a loop is still null where the loop may have run zero times: with the loop's
    /// counters kept known (a compile-time bound), lowering starts again and unrolls it, so each
    /// step knows whether it was assigned; otherwise the diagnostic says how to give it a value.</summary>
    internal LoweringException NullUse(StaticValue nothing, IOperation at)
    {
        if (nothing.NullField is not null)
            return Fail(DiagnosticIds.UnsupportedType, at, NullMessage(nothing, at));
        var counters = _countersBesideNulls.Where(o => !_plan.KeepsKnown(o.Item1, o.Item2)).ToHashSet();
        var name = at.Syntax.ToString().TrimEnd('!');
        var message = $"'{name}' is null on a path the program can take (a loop that may run zero times, or a branch that does not assign it), "
            + $"and a program value cannot be null; give it a value first ('var {name} = x;' before the loop), or write '{name} ?? fallback'";
        return counters.Count > 0
            ? new RestartException(MakeDiagnostic(DiagnosticIds.UnsupportedType, DiagnosticSeverity.Error, at.Syntax, message), RestartRequest.Keeping([.. counters]))
            : Fail(DiagnosticIds.UnsupportedType, at, message);
    }

    /// <summary>What to say when a null is used as a value: which field holds it, and the two fixes.</summary>
    private static string NullMessage(StaticValue nothing, IOperation at)
    {
        var name = nothing.NullField ?? at.Syntax.ToString().TrimEnd('!');
        return $"'{name}' is null when the model is compiled (the model instance holds no module or tensor there), so it cannot be used as a value; "
            + $"assign it in the constructor, or test it first: 'if ({name} is not null)' folds at compile time and drops the branch that uses it";
    }

    private Value Weight(Tensor tensor, IOperation at)
    {
        var name = _weightNames.NameOf(tensor, at.Syntax.ToString());
        if (!_weights.TryGetValue(name, out var w))
        {
            w = _program.Weight(name, new TensorType(tensor.DType, tensor.Shape.ToArray()));
            _weights[name] = w;
        }
        return w;
    }

    /// <summary>A tensor operand: tensors as they are; a host float as a rank-0 tensor.</summary>
    private Value TensorOperand(AbstractValue value, IOperation at)
    {
        switch (value)
        {
            case StaticValue { Object: int or float or double } s:
                return _block.Const(IRType.F32(), [System.Convert.ToDouble((float)System.Convert.ToDouble(s.Object, System.Globalization.CultureInfo.InvariantCulture))]);
            case DynamicValue { Value.Type: ScalarType } d:
                return _block.FromScalar(HostScalar(d, ScalarKind.Float, at));
            default:
                var v = Materialize(value, at);
                return v.Type is TensorType ? v : throw Fail(DiagnosticIds.UnsupportedType, at, $"'{at.Syntax}' must be a tensor here");
        }
    }

    /// <summary>A run-time value was used where the compiler needs a constant (an attribute, an
    /// index into a module list): lowering restarts with the locals it came from kept known
    /// (unrolling their loop); when there are none, or they were kept known before, the diagnostic stands.</summary>
    private RestartException NeedStatic(Value value, string id, IOperation at, string message) =>
        new(MakeDiagnostic(id, DiagnosticSeverity.Error, at.Syntax, message), RestartRequest.Keeping([.. OriginsOf(Use(value))]));
}
