//! Text matching: Botium's matching modes and normalisation, plus a speech-tolerant layer.
