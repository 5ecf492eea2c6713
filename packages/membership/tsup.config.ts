import { defineConfig } from 'tsup'
import { cliBuild, libraryBuild } from '../../tsup.base.config.js'

export default defineConfig([libraryBuild, cliBuild])
