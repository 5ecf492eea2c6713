import { defineConfig } from 'tsup'
import { libraryBuild } from '../../tsup.base.config.js'

export default defineConfig(libraryBuild)
