import Foundation
import Testing

@testable import VoxModel

/// Expected calibration error and Brier score on hand-worked examples.
@Suite struct CalibrationTests {
    @Test func eceAndBrierMatchAHandComputedExample() {
        // Confidences 0.9 (right), 0.6 (wrong), 0.8 (right), each alone in its bin of 15:
        // ECE = (0.1 + 0.6 + 0.2) / 3; Brier = (0.02 + 0.72 + 0.08) / 3.
        let calibration = Calibration(probabilities: [[0.9, 0.1], [0.6, 0.4], [0.8, 0.2]], truth: [0, 1, 0])
        #expect(calibration.count == 3 && calibration.bins == 15)
        #expect(abs(calibration.ece - 0.3) < 1e-6)
        #expect(abs(calibration.brier - 0.82 / 3) < 1e-6)
    }

    @Test func postsSharingABinAreAveragedBeforeTheGapIsTaken() {
        // 0.70 right and 0.72 wrong share bin 10 (of 15): mean confidence 0.71 vs accuracy 0.5, gap 0.21.
        let calibration = Calibration(probabilities: [[0.70, 0.30], [0.28, 0.72]], truth: [0, 0])
        #expect(abs(calibration.ece - 0.21) < 1e-6)
        // A perfectly confident and right model is perfectly calibrated.
        let perfect = Calibration(probabilities: [[1, 0, 0], [0, 0, 1]], truth: [0, 2])
        #expect(perfect.ece == 0 && perfect.brier == 0)
    }

    @Test func labelsOutsideTheVectorAreSkippedAndNothingToMeasureGivesZero() {
        let calibration = Calibration(probabilities: [[0.9, 0.1], [0.5, 0.5]], truth: [0, 7])
        #expect(calibration.count == 1)
        #expect(abs(calibration.ece - 0.1) < 1e-6)
        let empty = Calibration(probabilities: [], truth: [])
        #expect(empty.count == 0 && empty.ece == 0 && empty.brier == 0)
    }

    @Test func headSpecTemperatureDecodesAndFallsBackToOneWhenAbsentOrInvalid() throws {
        let old = #"{"name":"sentiment","labels":["negative","neutral","positive"],"pooling":"mean","kind":"softmax"}"#
        var spec = try JSONDecoder().decode(HeadSpec.self, from: Data(old.utf8))
        #expect(spec.temperature == nil)
        #expect(spec.effectiveTemperature == 1)
        spec.temperature = 1.7
        #expect(spec.effectiveTemperature == 1.7)
        let decoded = try JSONDecoder().decode(HeadSpec.self, from: JSONEncoder().encode(spec))
        #expect(decoded.temperature == 1.7)
        for bad in [0.0, -2, .infinity, .nan] {
            spec.temperature = bad
            #expect(spec.effectiveTemperature == 1)
        }
    }
}
