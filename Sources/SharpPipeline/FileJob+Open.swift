import Logging
import SharpMedia

extension FileJob {
    /// A job reading `input` (nil: the generated demo clip) into `options.output`, processed
    /// with `settings`, under `policy` (strict or lenient, pixel limit, interruption); checks
    /// first that the input and output are different files.
    public static func open(
        input: String?, settings: ProcessingSettings, options: Options, policy: InputPolicy = InputPolicy(),
        logger: Logger
    ) throws -> FileJob {
        let source: FrameSource
        let sourceName: String
        if let input {
            try MediaFiles.checkDistinct(input: input, output: options.output)
            source = try MediaFiles.openSource(input, input: policy, logger: logger)
            sourceName = input
        } else {
            source = SyntheticClipSource()
            sourceName = "generated demo clip"
        }
        logger.info("\(sourceName): \(source.info)")
        return FileJob(
            source: source, sourceName: sourceName, processor: try settings.makeProcessor(), options: options,
            logger: logger)
    }
}
